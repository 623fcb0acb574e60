namespace EdgeInfinite.Corpus.Recall;

/// <summary>Progress of a recall evaluation.</summary>
/// <param name="Fraction">The fraction of trial runs done (prefill of the current one included), 0..1.</param>
/// <param name="Stage">What runs now, e.g. <c>long 8000 d=0.5</c>.</param>
public sealed record RecallProgress(double Fraction, string Stage);
