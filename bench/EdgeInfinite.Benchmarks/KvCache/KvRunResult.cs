namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>One child process's measurement: prefill (time to first token), greedy decode and memory.</summary>
internal sealed record KvRunResult(
    string Variant,
    int Tokens,
    string Route,
    int CacheCapacity,
    long CacheBytes,
    double TtftMs,
    double TtftCpuMs,
    double DecodeTokensPerSecond,
    double DecodeCpuMsPerToken,
    double RssAfterLoadMb,
    double PeakRssMb,
    double LoadBefore,
    double LoadAfter,
    bool Finite);
