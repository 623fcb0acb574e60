namespace EdgeInfinite.Cli.Commands;

/// <summary>Throughput and sizes after a number of tokens.</summary>
/// <param name="Tokens">Tokens processed.</param>
/// <param name="TokensPerSecond">Average prefill tokens per second so far.</param>
/// <param name="StateBytes">The state's size.</param>
/// <param name="TokensInMemory">Tokens compressed into memory.</param>
/// <param name="PeakWorkingSetBytes">The process's peak working set so far.</param>
/// <param name="ManagedHeapBytes">The bytes the .NET heap holds (live and not yet collected), to tell managed from native growth.</param>
internal sealed record SoakCheckpoint(long Tokens, double TokensPerSecond, long StateBytes, long TokensInMemory, long PeakWorkingSetBytes, long ManagedHeapBytes);
