namespace EdgeInfinite.Corpus.Recall;

/// <summary>The outcome of one (mode, length, depth) cell of a recall evaluation.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Length">The context length in tokens.</param>
/// <param name="Depth">The fact's depth.</param>
/// <param name="Trials">The trials run (0 when skipped).</param>
/// <param name="Correct">The trials whose reply started with the expected value.</param>
/// <param name="Skipped">Why the cell was not run (the short route over the package's max positions), or <see langword="null"/>.</param>
public sealed record RecallResult(RecallMode Mode, int Length, double Depth, int Trials, int Correct, string? Skipped = null)
{
    /// <summary>
    /// Gets the mean over the trials of ln p(the expected value's first token) at the reply's first position, or
    /// <see langword="null"/> for a skipped cell. Unlike the accuracy it moves with small changes of the model, so it
    /// shows whether the memory carries the fact at all (compare memory on with memory off).
    /// </summary>
    public double? MeanLogProb { get; init; }

    /// <summary>Gets the accuracy, or <see langword="null"/> for a skipped cell.</summary>
    public double? Accuracy => Trials > 0 ? (double)Correct / Trials : null;

    /// <summary>Gets the Wilson 95% interval of the accuracy, or <see langword="null"/> for a skipped cell.</summary>
    public ConfidenceInterval? Wilson95 => Trials > 0 ? WilsonInterval.Of(Correct, Trials) : null;

    /// <summary>Gets the mode's name in the CLI and JSON (<c>long</c>, <c>memoff</c>, <c>short</c>).</summary>
    public string ModeName => Name(Mode);

    /// <summary>The name of a mode as the CLI spells it.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The name.</returns>
    public static string Name(RecallMode mode) => mode switch
    {
        RecallMode.Long => "long",
        RecallMode.MemoryOff => "memoff",
        RecallMode.Short => "short",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown mode."),
    };

    /// <summary>Parses a mode name (<c>long</c>, <c>memoff</c>, <c>short</c>).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The mode.</returns>
    /// <exception cref="FormatException">The name is not a mode.</exception>
    public static RecallMode ParseMode(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "long" => RecallMode.Long,
        "memoff" or "memory-off" => RecallMode.MemoryOff,
        "short" => RecallMode.Short,
        _ => throw new FormatException($"'{name}' is not a recall mode (long, memoff, short)"),
    };
}
