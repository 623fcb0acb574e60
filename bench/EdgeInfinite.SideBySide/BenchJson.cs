using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// How the benchmark's rows are written and read back: a rate over a zero-length clock reading is infinite, and one
/// non-finite number must not lose a run that took minutes, so such values are written as the strings "Infinity" /
/// "NaN" (System.Text.Json's named floating-point literals) and read back as numbers.
/// </summary>
internal static class BenchJson
{
    /// <summary>The options of every JSON the side-by-side benchmark writes or reads.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
