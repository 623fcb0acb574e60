namespace EdgeInfinite.SideBySide;

/// <summary>
/// One measured (model, mode, precision, length) cell; <see cref="Status"/> is "ok" or why it was not measured.
/// <see cref="Weights"/> names the weight format as the engine calls it (fp32/int8/int4, F32/Q8_0/Q4_0);
/// <see cref="PackageBytes"/> is the size of what the engine loads (the package folder or the GGUF file).
/// </summary>
internal sealed record BenchRow(string Model, string Mode, string Weights, int Length, double? TtftMs, double? PeakRssMb, double? DecodeTokensPerS, long? PackageBytes, string Status);
