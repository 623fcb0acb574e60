namespace EdgeInfinite.Onnx;

/// <summary>Options for loading an <see cref="EdgeInfiniteModel"/>.</summary>
public sealed class EdgeInfiniteModelOptions
{
    /// <summary>Gets or sets the ONNX Runtime intra-op thread count; <see langword="null"/> lets ONNX Runtime choose (one per core).</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Gets or sets the route threshold in tokens; <see langword="null"/> uses the package's.</summary>
    public int? RouteThreshold { get; set; }

    /// <summary>Creates a copy.</summary>
    /// <returns>The copy.</returns>
    public EdgeInfiniteModelOptions Clone() => (EdgeInfiniteModelOptions)MemberwiseClone();
}
