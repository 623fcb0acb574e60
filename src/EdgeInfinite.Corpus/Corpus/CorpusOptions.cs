namespace EdgeInfinite.Corpus.Corpus;

/// <summary>Options of <see cref="SyntheticCorpus"/>.</summary>
public sealed class CorpusOptions
{
    /// <summary>Gets the default mixture weights.</summary>
    public static IReadOnlyDictionary<TaskKind, double> DefaultKindWeights { get; } = new Dictionary<TaskKind, double>
    {
        [TaskKind.FactRecall] = 3,
        [TaskKind.NeedleRetrieval] = 3,
        [TaskKind.MultiFactRecall] = 2,
        [TaskKind.ShortExchange] = 1,
        [TaskKind.ToolCall] = 1,
    };

    /// <summary>Gets or sets the seed; with the sample index it fixes each sample's text.</summary>
    public long Seed { get; set; }

    /// <summary>Gets or sets the smallest fact-to-question distance in tokens (recall kinds).</summary>
    public int MinDistanceTokens { get; set; } = 32;

    /// <summary>Gets or sets the largest fact-to-question distance in tokens (drawn log-uniformly between the two).</summary>
    public int MaxDistanceTokens { get; set; } = 512;

    /// <summary>Gets or sets the mixture weights of the task kinds (missing kinds have weight 0).</summary>
    public IReadOnlyDictionary<TaskKind, double> KindWeights { get; set; } = DefaultKindWeights;

    /// <summary>
    /// Gets or sets the most facts a <see cref="TaskKind.MultiFactRecall"/> conversation states (2 to the number of fact
    /// slots; drawn uniformly from 2). More facts per conversation give more recall answers per training token.
    /// </summary>
    public int MaxFactsPerSample { get; set; } = DefaultMaxFactsPerSample;

    /// <summary>The default of <see cref="MaxFactsPerSample"/>.</summary>
    public const int DefaultMaxFactsPerSample = 4;

    /// <summary>
    /// Gets or sets how far into a sequence a fact-recall conversation's facts may come: half of these conversations
    /// first have filler exchanges of up to <c>LeadInTokens − distance</c> tokens, so that facts are also written into a
    /// memory that already holds a conversation. 0 (the default) starts every such conversation with its facts.
    /// </summary>
    public int LeadInTokens { get; set; }

    /// <summary>Gets or sets how many times a needle is repeated right after it is stated (the assistant also restates facts once).</summary>
    public int NeedleRepeats { get; set; } = 1;

    /// <summary>Gets or sets the wording: <see cref="CorpusStyle.Template"/> (default, the pinned corpus) or <see cref="CorpusStyle.Varied"/>.</summary>
    public CorpusStyle Style { get; set; } = CorpusStyle.Template;

    /// <summary>Gets or sets the token counter that measures distances (default: <see cref="ApproximateTokenCounter"/>).</summary>
    public ITokenCounter TokenCounter { get; set; } = ApproximateTokenCounter.Instance;

    /// <summary>Creates a shallow copy.</summary>
    /// <returns>The copy.</returns>
    public CorpusOptions Clone() => (CorpusOptions)MemberwiseClone();

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinDistanceTokens, nameof(MinDistanceTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDistanceTokens, MinDistanceTokens, nameof(MaxDistanceTokens));
        ArgumentOutOfRangeException.ThrowIfNegative(NeedleRepeats, nameof(NeedleRepeats));
        ArgumentOutOfRangeException.ThrowIfNegative(LeadInTokens, nameof(LeadInTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFactsPerSample, 2, nameof(MaxFactsPerSample));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxFactsPerSample, FactCatalog.Slots.Count, nameof(MaxFactsPerSample));
        ArgumentNullException.ThrowIfNull(TokenCounter);
        if (!Enum.IsDefined(Style))
        {
            throw new ArgumentOutOfRangeException(nameof(Style), Style, "Unknown corpus style.");
        }

        ArgumentNullException.ThrowIfNull(KindWeights);
        if (KindWeights.Values.Any(w => w < 0 || double.IsNaN(w)) || KindWeights.Values.Sum() <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(KindWeights), "Kind weights must be non-negative with a positive sum.");
        }
    }
}
