namespace EdgeInfinite.Corpus.Recall;

/// <summary>Options of <see cref="RecallEvaluator"/>.</summary>
public sealed class RecallEvaluationOptions
{
    /// <summary>Gets or sets the context lengths in tokens.</summary>
    public IReadOnlyList<int> Lengths { get; set; } = [2000, 8000];

    /// <summary>Gets or sets the fact depths (fractions 0..1).</summary>
    public IReadOnlyList<double> Depths { get; set; } = [0.1, 0.5, 0.9];

    /// <summary>Gets or sets the modes.</summary>
    public IReadOnlyList<RecallMode> Modes { get; set; } = [RecallMode.Long, RecallMode.MemoryOff, RecallMode.Short];

    /// <summary>Gets or sets the prompts asked: the corpus's own (default) or the held-out suite.</summary>
    public RecallSuite Suite { get; set; } = RecallSuite.Corpus;

    /// <summary>Gets or sets the trials per cell.</summary>
    public int Trials { get; set; } = 10;

    /// <summary>Gets or sets the seed (fixes every prompt; every mode sees the same prompts).</summary>
    public long Seed { get; set; }

    /// <summary>Gets or sets the tokens generated per reply (greedy).</summary>
    public int MaxNewTokens { get; set; } = 4;

    /// <summary>Gets or sets the prompt formats, used in turn across trials (see <see cref="FormatsOf"/>).</summary>
    public IReadOnlyList<RecallTaskFormat> Formats { get; set; } = [RecallTaskFormat.Needle, RecallTaskFormat.Conversation];

    /// <summary>The formats a suite builds: needle and conversation, plus multi-fact in the held-out suite.</summary>
    /// <param name="suite">The suite.</param>
    /// <returns>The formats.</returns>
    public static IReadOnlyList<RecallTaskFormat> FormatsOf(RecallSuite suite) => suite switch
    {
        RecallSuite.Corpus => [RecallTaskFormat.Needle, RecallTaskFormat.Conversation],
        RecallSuite.HeldOut => [RecallTaskFormat.Needle, RecallTaskFormat.Conversation, RecallTaskFormat.MultiFact],
        _ => throw new ArgumentOutOfRangeException(nameof(suite), suite, "Unknown recall suite."),
    };

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (Lengths is null || Lengths.Count == 0 || Lengths.Any(l => l <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(Lengths), "Give at least one positive length.");
        }

        if (Depths is null || Depths.Count == 0 || Depths.Any(d => double.IsNaN(d) || d < 0 || d > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Depths), "Give at least one depth, each in 0..1.");
        }

        if (Modes is null || Modes.Count == 0 || Formats is null || Formats.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Modes), "Give at least one mode and one format.");
        }

        var supported = FormatsOf(Suite);
        foreach (var format in Formats.Where(f => !supported.Contains(f)))
        {
            throw new ArgumentOutOfRangeException(nameof(Formats), format, $"The {Suite} suite has no {format} prompts.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Trials, nameof(Trials));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxNewTokens, nameof(MaxNewTokens));
    }
}
