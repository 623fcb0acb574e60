using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeInfinite.Cli.Commands;

/// <summary>The outcome of a soak run.</summary>
internal sealed record SoakResult(string Model, string Route, bool Memory, long Tokens, bool Finite, double Seconds, double TokensPerSecond, long StateBytes, double PeakRssMb, IReadOnlyList<SoakCheckpoint> Checkpoints)
{
    /// <summary>
    /// How soak results are written and read back (<c>soak --json</c>, <c>bench-long</c>): a rate over a zero-length
    /// clock reading is infinite, and one non-finite number must not fail a run that already finished, so such values
    /// are written as the strings "Infinity" / "NaN" and read back as numbers.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{Model}: {Tokens:N0} tokens, route {Route}, memory {(Memory ? "on" : "off")}, {(Finite ? "all logits and state finite" : "NON-FINITE VALUES")}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{Seconds:0.0} s, {TokensPerSecond:N0} tokens/s, state {StateBytes:N0} bytes, peak RSS {PeakRssMb:0.0} MB");
        sb.AppendLine("| tokens | tokens/s so far | state bytes | tokens in memory | peak RSS MB | .NET heap MB |");
        sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var c in Checkpoints)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {c.Tokens:N0} | {c.TokensPerSecond:N0} | {c.StateBytes:N0} | {c.TokensInMemory:N0} | {c.PeakWorkingSetBytes / (1024.0 * 1024.0):0.0} | {c.ManagedHeapBytes / (1024.0 * 1024.0):0.0} |");
        }

        return sb.ToString().TrimEnd();
    }
}
