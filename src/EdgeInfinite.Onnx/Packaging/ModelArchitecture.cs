namespace EdgeInfinite.Onnx.Packaging;

/// <summary>The dimensions and options of a decoder-only transformer, normalised across the supported families.</summary>
public sealed record ModelArchitecture
{
    /// <summary>Gets the model family.</summary>
    public required ModelFamily Family { get; init; }

    /// <summary>Gets the vocabulary size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Gets the hidden (model) size.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Gets the MLP intermediate size.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Gets the number of decoder layers.</summary>
    public required int NumLayers { get; init; }

    /// <summary>Gets the number of query heads.</summary>
    public required int NumHeads { get; init; }

    /// <summary>Gets the number of key/value heads (GQA groups).</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>Gets the per-head dimension.</summary>
    public required int HeadDim { get; init; }

    /// <summary>Gets the RMSNorm epsilon.</summary>
    public required double RmsNormEps { get; init; }

    /// <summary>Gets the RoPE base.</summary>
    public required double RopeTheta { get; init; }

    /// <summary>Gets the optional llama3 RoPE scaling.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Gets the position limit the model was trained for.</summary>
    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>Gets a value indicating whether the LM head shares the embedding matrix.</summary>
    public required bool TieWordEmbeddings { get; init; }

    /// <summary>Gets a value indicating whether the attention has per-head q/k RMSNorm (Qwen3).</summary>
    public bool QkNorm { get; init; }

    /// <summary>Gets the query-head count per key/value head.</summary>
    public int GroupSize => NumHeads / NumKvHeads;
}
