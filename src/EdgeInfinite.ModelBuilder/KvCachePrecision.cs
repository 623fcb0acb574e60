namespace EdgeInfinite.ModelBuilder;

/// <summary>
/// Element type of the chunk graph's KV cache (past/present inputs and outputs of <c>GroupQueryAttention</c>).
/// Only <see cref="Float32"/> is served by the engine; the others exist to measure against it
/// (docs/quantization.md, "KV cache precision") and a package built with them is refused at load.
/// </summary>
internal enum KvCachePrecision
{
    /// <summary>float32 cache, the attention in float32 (the default and the only one the engine runs).</summary>
    Float32,

    /// <summary>
    /// float16 cache, the attention in float32: <c>GroupQueryAttention</c>'s cache type (<c>T_CACHE</c>) is float16
    /// while q, k, v and the rotary caches stay float32 (ONNX Runtime 1.31's CPU kernel converts on write and read).
    /// </summary>
    Float16,

    /// <summary>
    /// float16 cache and float16 attention: q, k, v and the rotary caches are cast to float16 before
    /// <c>GroupQueryAttention</c> and its output back to float32 after it (the memory read and the gate keep float32 q).
    /// </summary>
    Float16Attention,

    /// <summary>
    /// int8 cache with per-channel float32 scales (<c>k_quant_type</c>/<c>v_quant_type</c> = <c>PER_CHANNEL</c>,
    /// <c>kv_cache_bit_width</c> = 8); the attention stays float32 and ONNX Runtime quantizes new keys/values on write.
    /// The scales are graph inputs <c>k_scale.{i}</c>/<c>v_scale.{i}</c> of <c>[kvHeads · headDim]</c>, so a
    /// calibration can supply them at run time.
    /// </summary>
    Int8,
}
