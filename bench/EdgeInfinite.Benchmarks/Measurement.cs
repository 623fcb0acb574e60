using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// What one <c>measure</c> process reports: per-repeat wall-clock and process CPU times of the prefill and of the decode
/// steps, load time, peak working set, and the 1-minute load average before and after (how busy the machine was).
/// </summary>
internal sealed record Measurement(
    double LoadMs,
    double[] PrefillMs,
    double[] DecodeMs,
    double[] PrefillCpuMs,
    double[] DecodeCpuMs,
    long PeakWorkingSetBytes,
    int PromptTokens,
    int DecodeTokens,
    double LoadAverageBefore,
    double LoadAverageAfter)
{
    /// <summary>
    /// How a measurement is printed and read back: the load average is NaN where the system has no
    /// <c>/proc/loadavg</c> (macOS, Windows), so non-finite values travel as the strings "NaN" / "Infinity".
    /// </summary>
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
}
