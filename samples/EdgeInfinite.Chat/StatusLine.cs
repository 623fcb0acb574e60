using System.Globalization;
using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.Samples.Chat;

/// <summary>Formats the engine's numbers of a response: route, tokens in memory, state bytes, time to first token, reuse.</summary>
internal static class StatusLine
{
    public static string Format(AdditionalPropertiesDictionary? props, UsageDetails? usage)
    {
        if (props is null)
        {
            return "[no status]";
        }

        long Get(string key) => props.TryGetValue(key, out var v) && v is not null ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : 0;
        double ttft = props.TryGetValue(EdgeInfiniteMetadataKeys.TimeToFirstTokenMs, out var t) && t is not null ? Convert.ToDouble(t, CultureInfo.InvariantCulture) : 0;
        double tps = props.TryGetValue(EdgeInfiniteMetadataKeys.TokensPerSecond, out var s) && s is not null ? Convert.ToDouble(s, CultureInfo.InvariantCulture) : 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[route {props[EdgeInfiniteMetadataKeys.Route]} | {Get(EdgeInfiniteMetadataKeys.TokensInMemory)} tokens in memory, {Get(EdgeInfiniteMetadataKeys.CachedTokens)} in KV | state {Get(EdgeInfiniteMetadataKeys.StateBytes) / 1024.0 / 1024.0:F2} MiB | " +
            $"TTFT {ttft:F0} ms, {tps:F1} tok/s | prompt {usage?.InputTokenCount ?? 0} ({Get(EdgeInfiniteMetadataKeys.PromptTokensReused)} reused), output {usage?.OutputTokenCount ?? 0}]");
    }
}
