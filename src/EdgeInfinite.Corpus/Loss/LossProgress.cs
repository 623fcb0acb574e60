namespace EdgeInfinite.Corpus.Loss;

/// <summary>Progress of a loss evaluation.</summary>
/// <param name="Fraction">The fraction of all modes' tokens run, 0..1.</param>
/// <param name="Stage">What runs now, e.g. <c>long</c>.</param>
public sealed record LossProgress(double Fraction, string Stage);
