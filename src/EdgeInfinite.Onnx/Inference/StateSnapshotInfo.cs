namespace EdgeInfinite.Onnx.Inference;

/// <summary>The header of a saved state.</summary>
public sealed record StateSnapshotInfo
{
    /// <summary>Gets the revision of the package the state belongs to.</summary>
    public required string PackageRevision { get; init; }

    /// <summary>Gets the package's name.</summary>
    public required string PackageName { get; init; }

    /// <summary>Gets the route.</summary>
    public required Route Route { get; init; }

    /// <summary>Gets a value indicating whether the long route writes memory.</summary>
    public required bool MemoryEnabled { get; init; }

    /// <summary>Gets a value indicating whether a short state converts to the long route past the threshold.</summary>
    public required bool AutoRouted { get; init; }

    /// <summary>Gets the number of tokens processed.</summary>
    public required long TokenCount { get; init; }

    /// <summary>Gets the number of tokens in memory.</summary>
    public required long TokensInMemory { get; init; }

    /// <summary>Gets the number of layers.</summary>
    public required int NumLayers { get; init; }

    /// <summary>Gets the number of KV heads.</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>Gets the head dimension.</summary>
    public required int HeadDim { get; init; }

    /// <summary>Gets the KV cache capacity.</summary>
    public required int CacheCapacity { get; init; }

    /// <summary>Gets the number of raw tokens in the KV cache.</summary>
    public required int CachedTokens { get; init; }

    /// <summary>Gets the snapshot's size in bytes (without the checksum).</summary>
    public required long Bytes { get; init; }
}
