using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>A completed response, captured for the conversation store.</summary>
/// <param name="ConversationId">The conversation id.</param>
/// <param name="Transcript">The messages, the response included.</param>
/// <param name="FedIds">Exactly the ids the state has processed.</param>
/// <param name="MemoryEnabled">Whether the state has the compressed memory on.</param>
/// <param name="Response">The response's content and generated ids, when re-encoding its text needs them.</param>
/// <param name="RawToolCalls">The raw text of the response's tool calls, by call id.</param>
/// <param name="Snapshot">The state snapshot.</param>
internal sealed record ConversationTurn(
    string ConversationId,
    IList<ChatMessage> Transcript,
    int[] FedIds,
    bool MemoryEnabled,
    KeyValuePair<string, int[]>? Response,
    IReadOnlyList<KeyValuePair<string, string>> RawToolCalls,
    byte[] Snapshot);
