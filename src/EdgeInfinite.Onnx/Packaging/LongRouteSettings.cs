namespace EdgeInfinite.Onnx.Packaging;

/// <summary>The long-route settings of a package (DESIGN §1): sink, window, segment, routing threshold and memory rule.</summary>
public sealed record LongRouteSettings
{
    /// <summary>Gets the number of first tokens kept raw forever (S).</summary>
    public int SinkTokens { get; init; } = 4;

    /// <summary>Gets the number of most recent tokens kept raw (W).</summary>
    public int WindowTokens { get; init; } = 1024;

    /// <summary>Gets the segment length (L): prefill chunk size and the unit in which tokens leave the window.</summary>
    public int SegmentTokens { get; init; } = 256;

    /// <summary>Gets the largest request (in tokens, prompt plus output budget) that runs on the short route.</summary>
    public int RouteThreshold { get; init; } = 4096;

    /// <summary>Gets the memory update rule.</summary>
    public MemoryUpdateRule UpdateRule { get; init; } = MemoryUpdateRule.Delta;

    /// <summary>Gets the feature map of the memory's queries and keys (packages without the setting use ELU + 1).</summary>
    public MemoryFeatureMap FeatureMap { get; init; } = MemoryFeatureMap.EluPlusOne;

    /// <summary>
    /// Gets the scale β of the exponential feature map, <c>σ(x) = exp(min(β · x, 30))</c> (packages without the setting
    /// use <see cref="ExponentialFeatures.DefaultScale"/>); other feature maps ignore it. A larger β makes a read
    /// pick the best-matching stored keys more sharply out of many.
    /// </summary>
    public double FeatureScale { get; init; } = ExponentialFeatures.DefaultScale;

    /// <summary>
    /// Gets a value indicating whether the gates were trained. Untrained gates (as converted) are not applied, so the
    /// long route is then exactly sink + window attention (memory is still written, ready for trained gates).
    /// </summary>
    public bool GatesTrained { get; init; }

    /// <summary>Gets the ε added to the memory read and delta-rule denominators.</summary>
    public double Epsilon { get; init; } = 1e-6;
}
