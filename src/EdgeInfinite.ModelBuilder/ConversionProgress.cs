namespace EdgeInfinite.ModelBuilder;

/// <summary>Progress of a conversion.</summary>
/// <param name="Stage">What is being done.</param>
/// <param name="Fraction">The overall fraction done, 0..1.</param>
public sealed record ConversionProgress(string Stage, double Fraction);
