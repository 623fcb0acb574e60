namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Keys of the values the connector adds to <c>ChatResponse.AdditionalProperties</c>,
/// <c>ChatResponseUpdate.AdditionalProperties</c> (final update) and Semantic Kernel's <c>ChatMessageContent.Metadata</c>,
/// and the <c>ChatOptions.AdditionalProperties</c> keys it reads.
/// </summary>
public static class EdgeInfiniteMetadataKeys
{
    /// <summary>Request option and response value: the route, <c>auto</c> (request only), <c>short</c> or <c>long</c>.</summary>
    public const string Route = "edgeinfinite.route";

    /// <summary>Request option: <c>on</c> (default) or <c>off</c> (long route without compressed memory: sink + window only).</summary>
    public const string Memory = "edgeinfinite.memory";

    /// <summary>Request option: an <c>IProgress&lt;PrefillProgress&gt;</c> that receives the prefill's progress after each chunk (in-process only).</summary>
    public const string PrefillProgress = "edgeinfinite.prefill_progress";

    /// <summary>Request option: the repetition penalty (1 = off).</summary>
    public const string RepetitionPenalty = "edgeinfinite.repetition_penalty";

    /// <summary>Response value: prompt tokens run through the model for this request.</summary>
    public const string PromptTokensPrefilled = "edgeinfinite.prompt_tokens_prefilled";

    /// <summary>Response value: prompt tokens taken from a kept conversation state instead of being prefilled.</summary>
    public const string PromptTokensReused = "edgeinfinite.prompt_tokens_reused";

    /// <summary>Response value: tokens compressed into memory (long route).</summary>
    public const string TokensInMemory = "edgeinfinite.tokens_in_memory";

    /// <summary>Response value: tokens held raw in the KV cache.</summary>
    public const string CachedTokens = "edgeinfinite.cached_tokens";

    /// <summary>Response value: bytes held by the conversation state (KV cache plus memory).</summary>
    public const string StateBytes = "edgeinfinite.state_bytes";

    /// <summary>Response value: time to first token in milliseconds (prefill included).</summary>
    public const string TimeToFirstTokenMs = "edgeinfinite.ttft_ms";

    /// <summary>Response value: output tokens per second after the first token.</summary>
    public const string TokensPerSecond = "edgeinfinite.tokens_per_second";
}
