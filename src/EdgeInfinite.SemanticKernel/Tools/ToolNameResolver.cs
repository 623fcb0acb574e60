using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tools;

/// <summary>
/// Maps a called function name that was not offered to the one offered function it evidently means. Small local
/// models copy a long qualified name (<c>WeatherPlugin_get_weather</c>, as Semantic Kernel writes plugin functions)
/// imperfectly, e.g. with another prefix (<c>Weather_get_weather</c>) or none (<c>get_weather</c>). When exactly one
/// offered name ends with <c>_</c> + the called name, or with <c>_</c> + the called name after its first <c>_</c>,
/// that name is used; anything else is left as called (and the function invoker reports it as unknown).
/// </summary>
internal static class ToolNameResolver
{
    public static string Resolve(string called, IReadOnlyList<AIFunctionDeclaration> offered)
    {
        ArgumentNullException.ThrowIfNull(called);
        ArgumentNullException.ThrowIfNull(offered);
        if (called.Length == 0 || offered.Any(f => string.Equals(f.Name, called, StringComparison.Ordinal)))
        {
            return called;
        }

        int separator = called.IndexOf('_', StringComparison.Ordinal);
        foreach (string tail in separator > 0 ? new[] { called, called[(separator + 1)..] } : [called])
        {
            var matches = offered.Where(f => f.Name.EndsWith("_" + tail, StringComparison.Ordinal)).Take(2).ToList();
            if (matches.Count == 1)
            {
                return matches[0].Name;
            }
        }

        return called;
    }
}
