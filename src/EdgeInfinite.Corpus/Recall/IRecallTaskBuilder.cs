using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Recall;

/// <summary>Builds the recall prompts of one suite.</summary>
public interface IRecallTaskBuilder
{
    /// <summary>Gets the formats the suite builds.</summary>
    IReadOnlyList<RecallTaskFormat> Formats { get; }

    /// <summary>Builds one prompt.</summary>
    /// <param name="length">The context length in tokens: prompt plus <paramref name="answerTokens"/>.</param>
    /// <param name="depth">The fact's position as a fraction of the filler, 0..1.</param>
    /// <param name="format">The prompt's shape (one of <see cref="Formats"/>).</param>
    /// <param name="random">The generator (fixes the value and the filler).</param>
    /// <param name="answerTokens">The tokens kept free for the answer.</param>
    /// <returns>The task.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The length cannot hold the fixed parts of the prompt, or the suite has no such format.</exception>
    RecallTask Build(int length, double depth, RecallTaskFormat format, DeterministicRandom random, int answerTokens = 4);
}
