using EdgeInfinite.Corpus.Recall;

namespace EdgeInfinite.Corpus.Loss;

/// <summary>Options of <see cref="LossEvaluator"/>.</summary>
public sealed class LossEvaluationOptions
{
    /// <summary>Gets or sets the modes to score, in order: the long route with memory, with the memory off, the short route.</summary>
    public IReadOnlyList<RecallMode> Modes { get; set; } = [RecallMode.Long, RecallMode.Short];

    /// <summary>
    /// Gets or sets the length of a scored sequence: the stream is cut into consecutive sequences of this many tokens
    /// (the last one may be shorter), each run on a fresh state; its first token is context only.
    /// </summary>
    public int SequenceTokens { get; set; } = 512;

    /// <summary>Creates a shallow copy.</summary>
    /// <returns>The copy.</returns>
    public LossEvaluationOptions Clone() => (LossEvaluationOptions)MemberwiseClone();

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">No mode, a repeated or unknown mode, or a sequence shorter than two tokens.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Modes);
        if (Modes.Count == 0 || Modes.Distinct().Count() != Modes.Count || Modes.Any(m => !Enum.IsDefined(m)))
        {
            throw new ArgumentException("Give each mode at most once, and at least one.", nameof(Modes));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(SequenceTokens, 2, nameof(SequenceTokens));
    }
}
