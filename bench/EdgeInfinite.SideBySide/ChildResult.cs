using System.Text.Json.Serialization;

namespace EdgeInfinite.SideBySide;

/// <summary>The line a child run prints: its time to first token, decode rate and peak memory.</summary>
/// <param name="TtftMs">Time to first token in milliseconds.</param>
/// <param name="DecodeTokensPerS">Decode tokens per second.</param>
/// <param name="PeakRssMb">The child's peak resident memory in MB.</param>
internal sealed record ChildResult(
    [property: JsonPropertyName("ttft_ms")] double TtftMs,
    [property: JsonPropertyName("decode_tokens_per_s")] double DecodeTokensPerS,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMb);
