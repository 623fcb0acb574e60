namespace EdgeInfinite.ModelBuilder;

/// <summary>
/// Which ONNX Runtime CPU fused ops the builder uses. The default is the layout that measured fastest
/// (<c>docs/benchmarks/graph-layouts.md</c>); the other settings exist to measure against it.
/// </summary>
public sealed record GraphLayoutOptions
{
    /// <summary>Gets the default layout: fused norms, packed projections, <see cref="AttentionLayout.GroupQueryAttention"/>.</summary>
    public static GraphLayoutOptions Default { get; } = new();

    /// <summary>
    /// Gets a value indicating whether RMSNorms are <c>SimplifiedLayerNormalization</c> and residual adds are folded into
    /// <c>SkipSimplifiedLayerNormalization</c>; otherwise plain <c>Pow</c>/<c>ReduceMean</c>/<c>Add</c>/<c>Sqrt</c>/<c>Div</c>/<c>Mul</c> and <c>Add</c>.
    /// </summary>
    public bool FusedNorms { get; init; } = true;

    /// <summary>Gets a value indicating whether q/k/v are one MatMul + <c>Split</c> and gate/up one MatMul + <c>Split</c>; otherwise one MatMul each.</summary>
    public bool PackedProjections { get; init; } = true;

    /// <summary>
    /// Gets a value indicating whether a quantized package keeps a float32 embedding table for its <c>Gather</c> (the LM head
    /// is quantized on its own, a second copy when tied) instead of <c>GatherBlockQuantized</c> over the quantized rows
    /// (the default, stored once). Exists to measure against the default (docs/quantization.md); float32 packages ignore it.
    /// </summary>
    public bool FloatEmbeddings { get; init; }

    /// <summary>Gets the attention layout.</summary>
    public AttentionLayout Attention { get; init; } = AttentionLayout.GroupQueryAttention;

    /// <summary>
    /// Gets the chunk graph's KV cache element type (the decoder graph stays float32). Internal and refused by the engine:
    /// float16 measured slower than float32 (and larger on the short route), int8 leaner but with a slower prefill
    /// (docs/quantization.md, "KV cache precision"); kept for the benchmark.
    /// </summary>
    internal KvCachePrecision KvCache { get; init; } = KvCachePrecision.Float32;

    /// <summary>Gets a short name such as <c>fused-norms+packed+gqa</c>.</summary>
    public string Name =>
        $"{(FusedNorms ? "fused-norms" : "plain-norms")}+{(PackedProjections ? "packed" : "separate")}+{(Attention == AttentionLayout.GroupQueryAttention ? "gqa" : "unfused-attn")}{(FloatEmbeddings ? "+float-embeddings" : string.Empty)}{(KvCache == KvCachePrecision.Float32 ? string.Empty : "+kv-" + KvCache.ToString().ToLowerInvariant())}";
}
