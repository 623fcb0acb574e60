namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// The shapes of a Hugging Face-style checkpoint with random weights, written by <see cref="RandomCheckpoint.Write"/>:
/// realistic layer shapes for benchmarks, or tiny ones for tests. Families: llama, mistral, qwen2, qwen3.
/// </summary>
public sealed record RandomCheckpointSpec
{
    /// <summary>The name of the preset with Qwen2.5-0.5B's shapes and four layers.</summary>
    public const string Qwen25HalfBillionFourLayersPreset = "qwen2.5-0.5b-4l";

    /// <summary>The name of the preset with Qwen2.5-0.5B's shapes and all 24 layers.</summary>
    public const string Qwen25HalfBillionPreset = "qwen2.5-0.5b";

    /// <summary>The name of the tiny Qwen2 preset (a few hundred kilobytes; runs in milliseconds).</summary>
    public const string TinyPreset = "tiny";

    /// <summary>Gets the preset names <see cref="FromPreset"/> accepts.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [Qwen25HalfBillionFourLayersPreset, Qwen25HalfBillionPreset, TinyPreset];

    /// <summary>Gets Qwen2.5-0.5B's shapes (hidden 896, intermediate 4864, 14 heads, 2 KV heads, head dim 64, vocab 151936, tied embeddings, q/k/v biases, rope θ 1e6) with only 4 layers.</summary>
    public static RandomCheckpointSpec Qwen25HalfBillionFourLayers { get; } = new()
    {
        ModelType = "qwen2",
        VocabSize = 151936,
        HiddenSize = 896,
        IntermediateSize = 4864,
        NumLayers = 4,
        NumHeads = 14,
        NumKvHeads = 2,
        HeadDim = 64,
        RopeTheta = 1_000_000.0,
        RmsNormEps = 1e-6,
        MaxPositionEmbeddings = 32768,
        TieWordEmbeddings = true,
        QkvBias = true,
        BosTokenId = 151643,
        EosTokenId = 151643,
    };

    /// <summary>Gets Qwen2.5-0.5B's full shape: <see cref="Qwen25HalfBillionFourLayers"/> with its 24 layers (494M parameters).</summary>
    public static RandomCheckpointSpec Qwen25HalfBillion { get; } = Qwen25HalfBillionFourLayers with { NumLayers = 24 };

    /// <summary>Gets a tiny Qwen2-shaped spec (hidden 64, 2 layers, 4 heads, 2 KV heads, head dim 16, vocab 256, tied, q/k/v biases).</summary>
    public static RandomCheckpointSpec Tiny { get; } = new()
    {
        ModelType = "qwen2",
        VocabSize = 256,
        HiddenSize = 64,
        IntermediateSize = 128,
        NumLayers = 2,
        NumHeads = 4,
        NumKvHeads = 2,
        HeadDim = 16,
        RopeTheta = 1_000_000.0,
        RmsNormEps = 1e-6,
        MaxPositionEmbeddings = 2048,
        TieWordEmbeddings = true,
        QkvBias = true,
        BosTokenId = 1,
        EosTokenId = 2,
    };

    /// <summary>Gets the Hugging Face <c>model_type</c>: llama, mistral, qwen2 or qwen3.</summary>
    public required string ModelType { get; init; }

    /// <summary>Gets the vocabulary size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Gets the hidden size.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets the MLP intermediate size.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Gets the number of layers.</summary>
    public required int NumLayers { get; init; }

    /// <summary>Gets the number of query heads.</summary>
    public required int NumHeads { get; init; }

    /// <summary>Gets the number of key/value heads.</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>Gets the head dimension.</summary>
    public required int HeadDim { get; init; }

    /// <summary>Gets the RoPE base θ.</summary>
    public double RopeTheta { get; init; } = 10000.0;

    /// <summary>Gets the RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Gets <c>max_position_embeddings</c>.</summary>
    public int MaxPositionEmbeddings { get; init; } = 4096;

    /// <summary>Gets a value indicating whether the LM head is the embedding matrix (no <c>lm_head.weight</c> is written).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Gets a value indicating whether q/k/v projections have biases (Qwen2).</summary>
    public bool QkvBias { get; init; }

    /// <summary>Gets the BOS token id written into config.json, or <see langword="null"/>.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Gets the EOS token id written into config.json, or <see langword="null"/>.</summary>
    public int? EosTokenId { get; init; }

    /// <summary>Gets the standard deviation of the normal distribution of every matrix and bias (norm weights are 1).</summary>
    public double InitStd { get; init; } = 0.02;

    /// <summary>Gets the number of parameters the checkpoint holds.</summary>
    public long ParameterCount => RandomCheckpoint.Tensors(this).Sum(t => t.ElementCount);

    /// <summary>Returns a preset by name.</summary>
    /// <param name="name">One of <see cref="PresetNames"/>.</param>
    /// <returns>The spec.</returns>
    /// <exception cref="ArgumentException">The name is not a preset.</exception>
    public static RandomCheckpointSpec FromPreset(string name) => name switch
    {
        Qwen25HalfBillionFourLayersPreset => Qwen25HalfBillionFourLayers,
        Qwen25HalfBillionPreset => Qwen25HalfBillion,
        TinyPreset => Tiny,
        _ => throw new ArgumentException($"Unknown preset '{name}' (known: {string.Join(", ", PresetNames)}).", nameof(name)),
    };

    /// <summary>Checks the spec.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names it.</exception>
    public void Validate()
    {
        if (ModelType is not ("llama" or "mistral" or "qwen2" or "qwen3"))
        {
            throw new ArgumentException($"ModelType '{ModelType}' is not supported for random checkpoints (llama, mistral, qwen2, qwen3).", nameof(ModelType));
        }

        Positive(VocabSize, nameof(VocabSize));
        Positive(HiddenSize, nameof(HiddenSize));
        Positive(IntermediateSize, nameof(IntermediateSize));
        Positive(NumLayers, nameof(NumLayers));
        Positive(NumHeads, nameof(NumHeads));
        Positive(NumKvHeads, nameof(NumKvHeads));
        Positive(HeadDim, nameof(HeadDim));
        Positive(MaxPositionEmbeddings, nameof(MaxPositionEmbeddings));
        if (NumHeads % NumKvHeads != 0)
        {
            throw new ArgumentException($"NumHeads {NumHeads} is not a multiple of NumKvHeads {NumKvHeads}.", nameof(NumKvHeads));
        }

        if (ModelType == "qwen2" && !QkvBias)
        {
            throw new ArgumentException("qwen2 checkpoints have q/k/v biases: set QkvBias.", nameof(QkvBias));
        }

        if (HeadDim % 2 != 0)
        {
            throw new ArgumentException($"HeadDim {HeadDim} must be even.", nameof(HeadDim));
        }

        // Finite as well as positive: they are written into config.json, and JSON has no infinity or NaN.
        foreach (var (value, name) in new[] { (InitStd, nameof(InitStd)), (RopeTheta, nameof(RopeTheta)), (RmsNormEps, nameof(RmsNormEps)) })
        {
            if (!double.IsFinite(value) || value <= 0)
            {
                throw new ArgumentException($"{name} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be a finite positive number.", name);
            }
        }

        foreach (var (id, name) in new[] { (BosTokenId, nameof(BosTokenId)), (EosTokenId, nameof(EosTokenId)) })
        {
            if (id is { } v && (v < 0 || v >= VocabSize))
            {
                throw new ArgumentException($"{name} {v} is outside the vocabulary (0..{VocabSize - 1}).", name);
            }
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive (got {value}).", name);
        }
    }
}
