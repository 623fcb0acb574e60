namespace EdgeInfinite.ModelBuilder;

/// <summary>How the builder lays out self-attention (see <see cref="GraphLayoutOptions.Attention"/>).</summary>
public enum AttentionLayout
{
    /// <summary>
    /// ONNX Runtime's fused <c>com.microsoft.GroupQueryAttention</c> with in-op rotary embedding and the past/present
    /// KV buffer shared by pointer (the layout ONNX Runtime GenAI's builder uses on CPU).
    /// </summary>
    GroupQueryAttention,

    /// <summary>
    /// Plain ONNX ops: rotate-half RoPE from the same cos/sin caches, <c>ScatterND</c> of the new keys/values into the
    /// shared cache buffer, then <c>MatMul</c>, causal mask, <c>Softmax</c>, <c>MatMul</c> per KV-head group.
    /// Single-sequence only (the chunk graph and batch-1 GenAI decoding); kept for measurement.
    /// </summary>
    Unfused,
}
