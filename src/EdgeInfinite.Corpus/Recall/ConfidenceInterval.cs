namespace EdgeInfinite.Corpus.Recall;

/// <summary>A two-sided confidence interval of a proportion.</summary>
/// <param name="Low">The lower bound, 0..1.</param>
/// <param name="High">The upper bound, 0..1.</param>
public readonly record struct ConfidenceInterval(double Low, double High);
