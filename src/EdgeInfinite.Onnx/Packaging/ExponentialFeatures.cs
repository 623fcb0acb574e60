namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The exponential feature map (<see cref="MemoryFeatureMap.Exponential"/>): <c>σ(x) = exp(min(β · x, MaxExponent))</c>,
/// per element, β being the package's <see cref="LongRouteSettings.FeatureScale"/>. The engine's graph and host code,
/// the float64 reference and the trainer all compute it from here.
/// </summary>
public static class ExponentialFeatures
{
    /// <summary>The default scale β, for packages that do not set one: 2 keeps most of the selectivity that larger
    /// values add on a frozen base (measured on the default model's base) while leaving float32 head-room.</summary>
    public const double DefaultScale = 2;

    /// <summary>The largest scale a package may set: larger values reach <see cref="MaxExponent"/> for keys of
    /// ordinary size, and a capped feature no longer tells keys apart.</summary>
    public const double MaxScale = 16;

    /// <summary>The largest exponent: e^30 ≈ 1e13, so a read <c>σ(q) M</c> over a million tokens stays far below
    /// float32's 3e38.</summary>
    public const float MaxExponent = 30f;

    /// <summary>σ of one value in float32.</summary>
    /// <param name="x">The query or key element.</param>
    /// <param name="scale">The scale β.</param>
    /// <returns><c>exp(min(β · x, MaxExponent))</c>.</returns>
    public static float Apply(float x, float scale) => MathF.Exp(MathF.Min(scale * x, MaxExponent));

    /// <summary>σ of one value in float64.</summary>
    /// <param name="x">The query or key element.</param>
    /// <param name="scale">The scale β.</param>
    /// <returns><c>exp(min(β · x, MaxExponent))</c>.</returns>
    public static double Apply(double x, double scale) => Math.Exp(Math.Min(scale * x, MaxExponent));
}
