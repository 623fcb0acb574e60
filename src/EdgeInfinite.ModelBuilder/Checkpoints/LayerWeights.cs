namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// One decoder layer's weights in canonical form, whatever the family's tensor names. Linear weights keep the
/// Hugging Face layout <c>[out, in]</c>; optional parts are <see langword="null"/> when the family has none.
/// </summary>
public sealed class LayerWeights
{
    /// <summary>Gets the attention RMSNorm weight <c>[hidden]</c>.</summary>
    public required float[] InputNorm { get; init; }

    /// <summary>Gets the query projection <c>[heads·headDim, hidden]</c>.</summary>
    public required float[] QWeight { get; init; }

    /// <summary>Gets the key projection <c>[kvHeads·headDim, hidden]</c>.</summary>
    public required float[] KWeight { get; init; }

    /// <summary>Gets the value projection <c>[kvHeads·headDim, hidden]</c>.</summary>
    public required float[] VWeight { get; init; }

    /// <summary>Gets the output projection <c>[hidden, heads·headDim]</c>.</summary>
    public required float[] OWeight { get; init; }

    /// <summary>Gets the optional query bias.</summary>
    public float[]? QBias { get; init; }

    /// <summary>Gets the optional key bias.</summary>
    public float[]? KBias { get; init; }

    /// <summary>Gets the optional value bias.</summary>
    public float[]? VBias { get; init; }

    /// <summary>Gets the optional output bias.</summary>
    public float[]? OBias { get; init; }

    /// <summary>Gets the optional per-head query RMSNorm weight <c>[headDim]</c> (Qwen3).</summary>
    public float[]? QNorm { get; init; }

    /// <summary>Gets the optional per-head key RMSNorm weight <c>[headDim]</c> (Qwen3).</summary>
    public float[]? KNorm { get; init; }

    /// <summary>Gets the MLP RMSNorm weight <c>[hidden]</c>.</summary>
    public required float[] PostAttentionNorm { get; init; }

    /// <summary>Gets the gate projection <c>[intermediate, hidden]</c>.</summary>
    public required float[] GateWeight { get; init; }

    /// <summary>Gets the up projection <c>[intermediate, hidden]</c>.</summary>
    public required float[] UpWeight { get; init; }

    /// <summary>Gets the down projection <c>[hidden, intermediate]</c>.</summary>
    public required float[] DownWeight { get; init; }
}
