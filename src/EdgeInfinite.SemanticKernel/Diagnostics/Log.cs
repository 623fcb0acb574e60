using Microsoft.Extensions.Logging;

namespace EdgeInfinite.SemanticKernel.Diagnostics;

/// <summary>Source-generated log messages. Message contents are logged only at Trace.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Loaded EdgeInfinite model '{ModelId}' from '{PackagePath}' in {ElapsedMs} ms.")]
    public static partial void ModelLoaded(ILogger logger, string modelId, string packagePath, long elapsedMs);

    [LoggerMessage(2, LogLevel.Debug, "Request {ResponseId}: route {Route}, {PromptTokens} prompt tokens, {ReusedTokens} reused from a kept state, {PrefillTokens} to prefill.")]
    public static partial void RequestStarted(ILogger logger, string responseId, string route, int promptTokens, int reusedTokens, int prefillTokens);

    [LoggerMessage(3, LogLevel.Debug, "Request {ResponseId} finished ({FinishReason}): {OutputTokens} output tokens, time to first token {TtftMs:F1} ms, {TokensPerSecond:F1} tokens/s.")]
    public static partial void RequestCompleted(ILogger logger, string responseId, string finishReason, int outputTokens, double ttftMs, double tokensPerSecond);

    [LoggerMessage(4, LogLevel.Debug, "Request {ResponseId} was cancelled.")]
    public static partial void RequestCancelled(ILogger logger, string responseId);

    [LoggerMessage(5, LogLevel.Warning, "Request {ResponseId} failed.")]
    public static partial void RequestFailed(ILogger logger, string responseId, Exception exception);

    [LoggerMessage(6, LogLevel.Trace, "Request {ResponseId} prompt: {Prompt}")]
    public static partial void PromptText(ILogger logger, string responseId, string prompt);

    [LoggerMessage(7, LogLevel.Trace, "Request {ResponseId} response: {Response}")]
    public static partial void ResponseText(ILogger logger, string responseId, string response);

    [LoggerMessage(8, LogLevel.Warning, "Conversation '{ConversationId}' is not known (not returned by this client, or forgotten); the request is refused.")]
    public static partial void ConversationUnknown(ILogger logger, string conversationId);

    [LoggerMessage(9, LogLevel.Debug, "Evicted {Count} kept conversation state(s) (least recently used).")]
    public static partial void StatesEvicted(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Debug, "Request {ResponseId}: tool-call text could not be parsed and is returned as plain text.")]
    public static partial void MalformedToolCall(ILogger logger, string responseId);

    [LoggerMessage(11, LogLevel.Debug, "Request {ResponseId}: the model called '{Called}', which was not offered; mapped to the one offered function it matches, '{Offered}'.")]
    public static partial void ToolNameResolved(ILogger logger, string responseId, string called, string offered);

    [LoggerMessage(12, LogLevel.Warning, "Function arguments are constrained to a JSON object only: {Reason}")]
    public static partial void FunctionArgumentsUnconstrained(ILogger logger, string reason);

    [LoggerMessage(13, LogLevel.Debug, "Request {ResponseId}: the output budget ended inside a tool call; the unfinished call is dropped.")]
    public static partial void ToolCallCut(ILogger logger, string responseId);
}
