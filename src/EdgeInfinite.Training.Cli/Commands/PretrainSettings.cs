using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Training.Cli.Commands;

/// <summary>What <c>edgeinfinite-train pretrain</c> was asked to do.</summary>
internal sealed record PretrainSettings
{
    public required string OutputDirectory { get; init; }

    public required int Seed { get; init; }

    public required int Steps { get; init; }

    public double? Minutes { get; init; }

    public required int SequenceLength { get; init; }

    public required int BatchSize { get; init; }

    public required int Vocab { get; init; }

    public required long TokenizerChars { get; init; }

    public required int CorpusTokens { get; init; }

    public required int Hidden { get; init; }

    public required int Layers { get; init; }

    public required int Heads { get; init; }

    public required int KvHeads { get; init; }

    public required int Intermediate { get; init; }

    public required double LearningRate { get; init; }

    public required int Sink { get; init; }

    public required int Window { get; init; }

    public required int Segment { get; init; }

    public required int GateSteps { get; init; }

    public required int GateBatch { get; init; }

    public required int GateSegments { get; init; }

    public required int GateCorpusTokens { get; init; }

    public int? Threads { get; init; }

    public PretrainRecipe Recipe { get; init; } = PretrainRecipe.Paper;

    public int LongSteps { get; init; } = 300;

    public double? LongMinutes { get; init; }

    public int LongSegments { get; init; } = 16;

    public int LongBatch { get; init; } = 4;

    public int LongCorpusTokens { get; init; } = 2_000_000;

    public double LongLearningRate { get; init; } = 5e-4;

    /// <summary>Gets the loss weight of recall answer tokens in the long-route stage (other tokens weigh 1).</summary>
    public double AnswerWeight { get; init; } = DefaultAnswerWeight;

    /// <summary>Gets the loss weight of recall answer tokens in the base stage (other tokens weigh 1).</summary>
    public double BaseAnswerWeight { get; init; } = DefaultAnswerWeight;

    /// <summary>Gets the initial gate bias of the long-route stage.</summary>
    public float LongGateBias { get; init; } = DefaultLongGateBias;

    /// <summary>Gets the feature map of the memory's queries and keys.</summary>
    public MemoryFeatureMap FeatureMap { get; init; } = DefaultFeatureMap;

    /// <summary>Gets the scale β of the exponential feature map (<see cref="LongRouteSettings.FeatureScale"/>).</summary>
    public double FeatureScale { get; init; } = ExponentialFeatures.DefaultScale;

    /// <summary>Gets the smallest fact-to-question distance of the long-route corpus (null: W / 2, at least 16).</summary>
    public int? LongMinDistance { get; init; }

    /// <summary>Gets the most facts a multi-fact conversation of the long-route corpus states.</summary>
    public int LongMaxFacts { get; init; } = CorpusOptions.DefaultMaxFactsPerSample;

    /// <summary>Gets the wording of every corpus of the run (tokenizer, base, gates, long route).</summary>
    public CorpusStyle CorpusStyle { get; init; } = CorpusStyle.Template;

    /// <summary>Gets a value indicating whether half of the long-route corpus's fact conversations start after filler (<see cref="CorpusOptions.LeadInTokens"/>).</summary>
    public bool LongLeadIn { get; init; }

    /// <summary>Gets R of <see cref="EdgeInfinite.Training.Trainers.LongRouteTrainingOptions.CarryMemorySteps"/>: long sequences continue from their batch row's memory of the previous step, emptied every R steps; 0 for none.</summary>
    public int LongCarryMemory { get; init; }

    /// <summary>Gets a package whose base and tokenizer the run starts from instead of a new tokenizer and random weights; null for none.</summary>
    public string? InitPackage { get; init; }

    public required bool Resume { get; init; }

    /// <summary>The default of <see cref="AnswerWeight"/>: answers weigh like every other token.</summary>
    public const double DefaultAnswerWeight = 1;

    /// <summary>The default of <see cref="LongGateBias"/>: g = sigmoid(-2), the memory's share small at the start.</summary>
    public const float DefaultLongGateBias = -2f;

    /// <summary>The default of <see cref="FeatureMap"/>.</summary>
    public const MemoryFeatureMap DefaultFeatureMap = MemoryFeatureMap.EluPlusOne;
}
