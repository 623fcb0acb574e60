namespace EdgeInfinite.Onnx.Packaging;

/// <summary>Special token ids of a package.</summary>
public sealed record TokenSettings
{
    /// <summary>Gets the BOS id, or <see langword="null"/> when the model has none.</summary>
    public int? BosTokenId { get; init; }

    /// <summary>Gets the ids that end generation.</summary>
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    /// <summary>Gets the pad id, or <see langword="null"/>.</summary>
    public int? PadTokenId { get; init; }
}
