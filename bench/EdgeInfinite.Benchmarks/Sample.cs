namespace EdgeInfinite.Benchmarks;

/// <summary>One timed request of the paired comparison: prefill and decode, wall-clock and process CPU milliseconds.</summary>
internal sealed record Sample(double PrefillMs, double PrefillCpuMs, double DecodeMs, double DecodeCpuMs);
