namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The constants of <see cref="MemoryFeatureMap.Exponential"/>: <c>σ(x) = exp(min(Scale · x, MaxExponent))</c>, per
/// element. The engine's graph and host code, the float64 reference and the trainer all read them from here.
/// </summary>
public static class ExponentialFeatures
{
    /// <summary>The scale β: 2 keeps most of the selectivity that larger values add (measured on the default model's
    /// base) while leaving float32 head-room.</summary>
    public const float Scale = 2f;

    /// <summary>The largest exponent: e^30 ≈ 1e13, so a read <c>σ(q) M</c> over a million tokens stays far below
    /// float32's 3e38.</summary>
    public const float MaxExponent = 30f;

    /// <summary>σ of one value in float32.</summary>
    /// <param name="x">The query or key element.</param>
    /// <returns><c>exp(min(Scale · x, MaxExponent))</c>.</returns>
    public static float Apply(float x) => MathF.Exp(MathF.Min(Scale * x, MaxExponent));

    /// <summary>σ of one value in float64.</summary>
    /// <param name="x">The query or key element.</param>
    /// <returns><c>exp(min(Scale · x, MaxExponent))</c>.</returns>
    public static double Apply(double x) => Math.Exp(Math.Min(Scale * x, MaxExponent));
}
