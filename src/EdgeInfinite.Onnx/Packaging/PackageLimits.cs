namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The largest values a package config may hold. Each is far above every supported real model (the largest vocabulary
/// in use is about 262k, the widest hidden size 16k, the deepest model 126 layers) and low enough that every buffer the
/// engine sizes from them is a valid .NET array and every product is computed without overflow.
/// </summary>
public static class PackageLimits
{
    /// <summary>The largest vocabulary (2^22).</summary>
    public const int MaxVocabSize = 1 << 22;

    /// <summary>The largest hidden size.</summary>
    public const int MaxHiddenSize = 1 << 16;

    /// <summary>The largest MLP intermediate size.</summary>
    public const int MaxIntermediateSize = 1 << 18;

    /// <summary>The largest number of layers.</summary>
    public const int MaxLayers = 1024;

    /// <summary>The largest number of query heads.</summary>
    public const int MaxHeads = 1024;

    /// <summary>The largest head dimension.</summary>
    public const int MaxHeadDim = 1024;

    /// <summary>
    /// The largest number of positions (2^21 = 2,097,152, above the 1,010,000 of the longest-context checkpoints): the
    /// rotary caches (<c>maxPositions × headDim</c> floats, 1 GB at head size 128) and the short route's largest KV cache
    /// are sized from it; a long stream needs no more, since the long route's positions stay below <c>S + W + L</c>.
    /// </summary>
    public const int MaxPositions = 1 << 21;

    /// <summary>The largest number of ids a package may list as end-of-sequence.</summary>
    public const int MaxEosTokenIds = 64;
}
