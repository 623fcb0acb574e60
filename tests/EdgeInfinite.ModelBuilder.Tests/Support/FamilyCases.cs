using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>The families (and family options) the converter is checked on with self-written checkpoints.</summary>
public static class FamilyCases
{
    /// <summary>The llama3 scaling used by <see cref="Llama3Scaled"/>: original context 64, so a 160-token prompt reaches every band.</summary>
    public static readonly RopeScaling Llama3Scaling = new(Factor: 8.0, LowFreqFactor: 1.0, HighFreqFactor: 4.0, OriginalMaxPositionEmbeddings: 64);

    /// <summary>Mistral: GQA 4/2, rope_theta 1e6.</summary>
    public static readonly FamilyCase Mistral = new("mistral", new TinyModelSpec { ModelType = "mistral", RopeTheta = 1e6, Seed = 11 }, 48);

    /// <summary>Qwen3: q/k RMSNorm, explicit head_dim 32 ≠ hidden/heads (16), tied embeddings.</summary>
    public static readonly FamilyCase Qwen3 = new("qwen3", new TinyModelSpec
    {
        ModelType = "qwen3", HeadDim = 32, WriteHeadDim = true, RopeTheta = 1e6, RmsNormEps = 1e-6, TieWordEmbeddings = true, Seed = 12,
    }, 48);

    /// <summary>Phi-3: fused qkv_proj and gate_up_proj, GQA 4/2 so q and k/v parts differ in size.</summary>
    public static readonly FamilyCase Phi3 = new("phi3", new TinyModelSpec { ModelType = "phi3", Seed = 13 }, 48);

    /// <summary>Llama with llama3 rope scaling and a prompt well past original_max_position_embeddings.</summary>
    public static readonly FamilyCase Llama3Scaled = new("llama3-scaled", new TinyModelSpec
    {
        ModelType = "llama", WriteHeadDim = true, RopeScaling = Llama3Scaling, Seed = 14,
    }, 160);

    /// <summary>Llama with tied embeddings (no lm_head tensor), multi-head KV, two shard files and an index.</summary>
    public static readonly FamilyCase LlamaTiedSharded = new("llama-tied-sharded", new TinyModelSpec
    {
        ModelType = "llama", NumKvHeads = 4, TieWordEmbeddings = true, Sharded = true, Seed = 15,
    }, 48);

    /// <summary>Qwen2: q/k/v biases, one KV head, untied.</summary>
    public static readonly FamilyCase Qwen2Bias = new("qwen2-bias", new TinyModelSpec
    {
        ModelType = "qwen2", NumKvHeads = 1, QkvBias = true, RopeTheta = 1e6, RmsNormEps = 1e-6, Seed = 16,
    }, 48);

    /// <summary>Gets all cases by name.</summary>
    public static IReadOnlyDictionary<string, FamilyCase> All { get; } =
        new[] { Mistral, Qwen3, Phi3, Llama3Scaled, LlamaTiedSharded, Qwen2Bias }.ToDictionary(c => c.Name);
}
