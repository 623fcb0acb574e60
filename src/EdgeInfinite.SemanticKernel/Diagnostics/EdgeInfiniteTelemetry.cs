using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EdgeInfinite.SemanticKernel.Diagnostics;

/// <summary>The connector's <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <see cref="Name"/>.</summary>
public static class EdgeInfiniteTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "EdgeInfinite.SemanticKernel";

    /// <summary>Gets the activity source: one <c>chat</c> activity per request.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name);

    /// <summary>Gets the meter.</summary>
    public static Meter Meter { get; } = new(Name);

    /// <summary>Gets the time-to-first-token histogram (seconds), tagged with the route.</summary>
    internal static Histogram<double> TimeToFirstToken { get; } =
        Meter.CreateHistogram<double>("edgeinfinite.time_to_first_token", "s", "Time from request start to the first generated token, prefill included.");

    /// <summary>Gets the decode throughput histogram (tokens per second), tagged with the route.</summary>
    internal static Histogram<double> TokensPerSecond { get; } =
        Meter.CreateHistogram<double>("edgeinfinite.tokens_per_second", "{token}/s", "Output tokens per second after the first token.");

    /// <summary>Gets the request counter, tagged with the route.</summary>
    internal static Counter<long> Requests { get; } =
        Meter.CreateCounter<long>("edgeinfinite.requests", "{request}", "Requests by route (short or long).");

    /// <summary>Gets the reused-prompt-tokens counter.</summary>
    internal static Counter<long> ReusedPromptTokens { get; } =
        Meter.CreateCounter<long>("edgeinfinite.prompt_tokens_reused", "{token}", "Prompt tokens not prefilled because a kept conversation state already held them.");
}
