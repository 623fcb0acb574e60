using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>The dimensions and family options of a tiny random checkpoint that the tests write themselves.</summary>
public sealed record TinyModelSpec
{
    /// <summary>Gets the Hugging Face <c>model_type</c>: llama, mistral, qwen2, qwen3 or phi3.</summary>
    public required string ModelType { get; init; }

    /// <summary>Gets the vocabulary size.</summary>
    public int VocabSize { get; init; } = 256;

    /// <summary>Gets the hidden size.</summary>
    public int HiddenSize { get; init; } = 64;

    /// <summary>Gets the MLP intermediate size.</summary>
    public int IntermediateSize { get; init; } = 128;

    /// <summary>Gets the number of layers.</summary>
    public int NumLayers { get; init; } = 2;

    /// <summary>Gets the number of query heads.</summary>
    public int NumHeads { get; init; } = 4;

    /// <summary>Gets the number of key/value heads.</summary>
    public int NumKvHeads { get; init; } = 2;

    /// <summary>Gets the head dimension.</summary>
    public int HeadDim { get; init; } = 16;

    /// <summary>Gets a value indicating whether config.json states head_dim explicitly.</summary>
    public bool WriteHeadDim { get; init; }

    /// <summary>Gets the RoPE base.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Gets the RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>Gets max_position_embeddings.</summary>
    public int MaxPositionEmbeddings { get; init; } = 2048;

    /// <summary>Gets a value indicating whether the LM head is the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Gets a value indicating whether q/k/v projections have biases (Qwen2).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Gets the llama3 rope scaling, or <see langword="null"/>.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Gets a value indicating whether the tensors are split over two shard files with an index.</summary>
    public bool Sharded { get; init; }

    /// <summary>Gets the seed of the random weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Gets the family.</summary>
    public ModelFamily Family => ModelType switch
    {
        "llama" => ModelFamily.Llama,
        "mistral" => ModelFamily.Mistral,
        "qwen2" => ModelFamily.Qwen2,
        "qwen3" => ModelFamily.Qwen3,
        "phi3" => ModelFamily.Phi3,
        _ => throw new InvalidOperationException($"No family for model_type '{ModelType}'."),
    };

    /// <summary>Gets a value indicating whether attention has per-head q/k RMSNorm (Qwen3).</summary>
    public bool QkNorm => ModelType == "qwen3";

    /// <summary>Builds the architecture this spec describes, written out by hand (not by the converter's config reader).</summary>
    /// <returns>The architecture.</returns>
    public ModelArchitecture ToArchitecture() => new()
    {
        Family = Family,
        VocabSize = VocabSize,
        HiddenSize = HiddenSize,
        IntermediateSize = IntermediateSize,
        NumLayers = NumLayers,
        NumHeads = NumHeads,
        NumKvHeads = NumKvHeads,
        HeadDim = HeadDim,
        RmsNormEps = RmsNormEps,
        RopeTheta = RopeTheta,
        RopeScaling = RopeScaling,
        MaxPositionEmbeddings = MaxPositionEmbeddings,
        TieWordEmbeddings = TieWordEmbeddings,
        QkNorm = QkNorm,
    };
}
