using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Cli.Commands;

/// <summary>What <c>edgeinfinite pretrain</c> was asked to do.</summary>
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
    public double AnswerWeight { get; init; } = 1;

    /// <summary>Gets the initial gate bias of the long-route stage.</summary>
    public float LongGateBias { get; init; } = -2f;

    /// <summary>Gets the feature map of the memory's queries and keys.</summary>
    public MemoryFeatureMap FeatureMap { get; init; } = MemoryFeatureMap.EluPlusOne;

    /// <summary>Gets the smallest fact-to-question distance of the long-route corpus (null: W / 2, at least 16).</summary>
    public int? LongMinDistance { get; init; }

    /// <summary>Gets the most facts a multi-fact conversation of the long-route corpus states.</summary>
    public int LongMaxFacts { get; init; } = 4;

    public required bool Resume { get; init; }
}
