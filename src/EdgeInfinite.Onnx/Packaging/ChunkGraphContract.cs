using System.Globalization;

namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The input and output names of the EdgeInfinite chunk graph, shared by the model builder that writes it and the
/// engine that runs it. One run processes a chunk of T new tokens after P cached ones (batch 1).
/// </summary>
public static class ChunkGraphContract
{
    /// <summary>int64 <c>[1, T]</c>: the chunk's token ids.</summary>
    public const string InputIds = "input_ids";

    /// <summary>
    /// float <c>[1, T, hidden]</c>: the chunk's token embeddings, in place of <see cref="InputIds"/> in the chunk graph of a
    /// quantized package: the engine reads the rows from the weights file (<see cref="QuantizedEmbedding"/>), so the
    /// quantized rows a tied LM head shares are not mapped into the process beside ONNX Runtime's pre-packed copy.
    /// </summary>
    public const string InputsEmbeds = "inputs_embeds";

    /// <summary>Chunk graph metadata: the byte offset in the weights file of the quantized embedding rows <c>[vocab, hidden·bits/8]</c>.</summary>
    public const string EmbeddingDataOffsetKey = "edgeinfinite.embedding.data_offset";

    /// <summary>Chunk graph metadata: the byte offset in the weights file of the embedding's float32 scales <c>[vocab, hidden/blockSize]</c>.</summary>
    public const string EmbeddingScalesOffsetKey = "edgeinfinite.embedding.scales_offset";

    /// <summary>int32 <c>[1]</c>: P + T − 1 (GroupQueryAttention's <c>seqlens_k</c>); new tokens get RoPE positions P..P+T−1.</summary>
    public const string SeqLensK = "seqlens_k";

    /// <summary>int32 scalar: P + T.</summary>
    public const string TotalSequenceLength = "total_sequence_length";

    /// <summary>int64 <c>[1]</c>: how many trailing positions get logits (0 = all).</summary>
    public const string NumLogitsToKeep = "num_logits_to_keep";

    /// <summary>float <c>[1]</c>: 1 enables the memory gate, 0 gives exactly the original attention.</summary>
    public const string GateEnable = "gate_enable";

    /// <summary>float <c>[1, T_keep, vocab]</c>: the logits.</summary>
    public const string Logits = "logits";

    /// <summary>Gets the past key input of a layer: float <c>[1, kvHeads, capacity, headDim]</c>, post-RoPE, bound to the same buffer as the present output.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The name.</returns>
    public static string PastKey(int layer) => string.Create(CultureInfo.InvariantCulture, $"past_key_values.{layer}.key");

    /// <summary>Gets the past value input of a layer.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The name.</returns>
    public static string PastValue(int layer) => string.Create(CultureInfo.InvariantCulture, $"past_key_values.{layer}.value");

    /// <summary>Gets the present key output of a layer.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The name.</returns>
    public static string PresentKey(int layer) => string.Create(CultureInfo.InvariantCulture, $"present.{layer}.key");

    /// <summary>Gets the present value output of a layer.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The name.</returns>
    public static string PresentValue(int layer) => string.Create(CultureInfo.InvariantCulture, $"present.{layer}.value");

    /// <summary>Gets the compressed memory input of a layer: float <c>[1, kvHeads, headDim, headDim]</c>.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The name.</returns>
    public static string Memory(int layer) => string.Create(CultureInfo.InvariantCulture, $"memory.{layer}");

    /// <summary>Gets the memory normaliser input of a layer: float <c>[1, kvHeads, headDim, 1]</c>.</summary>
    /// <param name="layer">The layer index.</param>
    /// <returns>The name.</returns>
    public static string MemoryNorm(int layer) => string.Create(CultureInfo.InvariantCulture, $"memory_norm.{layer}");
}
