namespace EdgeInfinite.SideBySide;

/// <summary>One measured (model, mode, length) cell; <see cref="Status"/> is "ok" or why it was not measured.</summary>
internal sealed record BenchRow(string Model, string Mode, int Length, double? TtftMs, double? PeakRssMb, double? DecodeTokensPerS, string Status);
