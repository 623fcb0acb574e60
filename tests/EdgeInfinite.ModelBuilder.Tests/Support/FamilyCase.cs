namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>A family test case: a tiny checkpoint spec and how long its prompt is.</summary>
/// <param name="Name">The case name used in theory data.</param>
/// <param name="Spec">The checkpoint spec.</param>
/// <param name="PromptLength">The prompt length in tokens.</param>
public sealed record FamilyCase(string Name, TinyModelSpec Spec, int PromptLength)
{
    /// <summary>Draws the prompt's token ids (seeded from the spec).</summary>
    /// <returns>The ids.</returns>
    public int[] PromptIds() => new WeightGenerator(Spec.Seed + 1000).TokenIds(PromptLength, Spec.VocabSize);
}
