using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>A whole model's weights in canonical form (see <see cref="LayerWeights"/>).</summary>
public sealed class TransformerWeights
{
    /// <summary>Gets the architecture.</summary>
    public required ModelArchitecture Architecture { get; init; }

    /// <summary>Gets the token embedding <c>[vocab, hidden]</c>.</summary>
    public required float[] Embedding { get; init; }

    /// <summary>Gets the layers.</summary>
    public required IReadOnlyList<LayerWeights> Layers { get; init; }

    /// <summary>Gets the final RMSNorm weight <c>[hidden]</c>.</summary>
    public required float[] FinalNorm { get; init; }

    /// <summary>Gets the LM head <c>[vocab, hidden]</c>; the same array as <see cref="Embedding"/> when tied.</summary>
    public required float[] LmHead { get; init; }
}
