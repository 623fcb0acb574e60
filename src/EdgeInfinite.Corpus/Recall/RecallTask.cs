namespace EdgeInfinite.Corpus.Recall;

/// <summary>One recall prompt.</summary>
/// <param name="Length">The requested context length in tokens (prompt plus answer budget).</param>
/// <param name="Depth">Where the fact sits, as a fraction of the filler before the question (0 = start, 1 = end).</param>
/// <param name="Format">The prompt's shape.</param>
/// <param name="Text">The rendered prompt (ChatML, ending with the assistant's generation prompt).</param>
/// <param name="PromptIds">The prompt's token ids.</param>
/// <param name="FactTokenIndex">The token offset where the fact starts (approximate: counted from the pieces).</param>
/// <param name="Question">The question.</param>
/// <param name="Expected">The expected answer: the value that must be the first word of the reply.</param>
public sealed record RecallTask(int Length, double Depth, RecallTaskFormat Format, string Text, int[] PromptIds, int FactTokenIndex, string Question, string Expected)
{
    /// <summary>Gets every value stated in the prompt (one, or three for <see cref="RecallTaskFormat.MultiFact"/>); <see cref="Expected"/> is one of them.</summary>
    public IReadOnlyList<string> StatedValues { get; init; } = [];
}
