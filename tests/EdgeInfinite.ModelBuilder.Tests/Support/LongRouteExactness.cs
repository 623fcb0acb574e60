namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>The outcome of a long-route exactness run (see <see cref="QuantizedExactness.LongRoute"/>).</summary>
/// <param name="RelativeError">The largest |engine − reference| over every logit, relative to the largest |reference logit|.</param>
/// <param name="EngineTokensInMemory">The tokens the engine wrote to memory.</param>
/// <param name="ReferenceTokensInMemory">The tokens the reference wrote to memory.</param>
public sealed record LongRouteExactness(double RelativeError, long EngineTokensInMemory, long ReferenceTokensInMemory);
