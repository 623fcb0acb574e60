namespace EdgeInfinite.Onnx;

/// <summary>Options for loading an <see cref="EdgeInfiniteModel"/>.</summary>
public sealed class EdgeInfiniteModelOptions
{
    /// <summary>
    /// Gets or sets the ONNX Runtime intra-op thread count; <see langword="null"/> or 0 lets ONNX Runtime choose (one per
    /// core). At most <see cref="MaxIntraOpThreads"/>: more threads than that only contend for the same cores.
    /// </summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Gets the largest <see cref="IntraOpThreads"/> accepted: four per logical processor, at least 4.</summary>
    public static int MaxIntraOpThreads => Math.Max(4, 4 * Environment.ProcessorCount);

    /// <summary>Gets or sets the route threshold in tokens; <see langword="null"/> uses the package's.</summary>
    public int? RouteThreshold { get; set; }

    /// <summary>
    /// Gets or sets extra ONNX Runtime session config entries (for example <c>session.disable_prepacking</c>), applied
    /// after the library's own.
    /// </summary>
    public IDictionary<string, string> SessionConfig { get; set; } = new Dictionary<string, string>();

    /// <summary>Creates a copy.</summary>
    /// <returns>The copy.</returns>
    public EdgeInfiniteModelOptions Clone()
    {
        var copy = (EdgeInfiniteModelOptions)MemberwiseClone();
        copy.SessionConfig = new Dictionary<string, string>(SessionConfig);
        return copy;
    }
}
