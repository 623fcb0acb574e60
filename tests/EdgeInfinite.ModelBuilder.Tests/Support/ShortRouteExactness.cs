namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>The outcome of a short-route exactness run (see <see cref="QuantizedExactness.ShortRoute"/>).</summary>
/// <param name="RelativeError">The largest |engine − reference| over every logit, relative to the largest |reference logit|.</param>
/// <param name="QuantizationEffect">
/// The largest change quantization made to the reference's logits (reference on the dequantized weights against the
/// reference on the original ones), relative to the largest |reference logit|: above the tolerance, so the check is not vacuous.
/// </param>
public sealed record ShortRouteExactness(double RelativeError, double QuantizationEffect);
