namespace EdgeInfinite.Benchmarks;

/// <summary>One report row: medians over every repeat of every round (and the best wall times).</summary>
internal sealed record RowSummary(double PrefillMs, double PrefillMinMs, double PrefillCpuMs, double DecodeTps, double DecodeMaxTps, double DecodeCpuMsPerToken, double PeakMiB);
