namespace EdgeInfinite.SideBySide.Runners;

/// <summary>Runs one engine on one prompt length: prefill + first token, then a fixed number of decode steps.</summary>
internal interface IModeRunner : IDisposable
{
    /// <summary>Prefills <paramref name="prompt"/>, takes the first token (greedy), then decodes <paramref name="decodeTokens"/> more.</summary>
    /// <returns>Time to first token and decode tokens per second.</returns>
    (double TtftMs, double DecodeTokensPerSecond) Run(int[] prompt, int decodeTokens);
}
