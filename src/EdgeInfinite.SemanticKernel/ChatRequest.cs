using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel;

/// <summary>One request's inputs, resolved before the engine runs.</summary>
/// <param name="History">The whole conversation (a kept transcript plus the request's messages).</param>
/// <param name="Instructions">Extra system instructions.</param>
/// <param name="Settings">The engine settings.</param>
/// <param name="ConversationId">The conversation id returned with the response.</param>
/// <param name="ResponseId">The response (and message) id.</param>
internal sealed record ChatRequest(List<ChatMessage> History, string? Instructions, RequestSettings Settings, string ConversationId, string ResponseId);
