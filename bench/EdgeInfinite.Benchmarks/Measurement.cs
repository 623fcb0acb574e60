namespace EdgeInfinite.Benchmarks;

/// <summary>What one <c>measure</c> process reports: per-repeat prefill and decode times, load time and peak working set.</summary>
internal sealed record Measurement(double LoadMs, double[] PrefillMs, double[] DecodeMs, long PeakWorkingSetBytes, int PromptTokens, int DecodeTokens);
