using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>One stored version of a conversation: what a replica needs to continue it exactly.</summary>
/// <param name="ConversationId">The conversation id.</param>
/// <param name="Version">The version (1 after the first response, one more after each stored response).</param>
/// <param name="Transcript">The messages so far, the last response included.</param>
/// <param name="FedIds">Exactly the token ids the state has processed.</param>
/// <param name="MemoryEnabled">Whether the state has the long route's compressed memory on.</param>
/// <param name="Responses">The generated ids behind each assistant content (so re-encoding gives the ids the state was fed).</param>
/// <param name="RawToolCalls">The raw text of the tool calls made, by call id (so they render as they were generated).</param>
/// <param name="Snapshot">The state snapshot (<see cref="EdgeInfinite.Onnx.Inference.StateSnapshot"/> format), or <see langword="null"/>.</param>
internal sealed record ConversationEntry(
    string ConversationId,
    long Version,
    IList<ChatMessage> Transcript,
    int[] FedIds,
    bool MemoryEnabled,
    IReadOnlyList<KeyValuePair<string, int[]>> Responses,
    IReadOnlyList<KeyValuePair<string, string>> RawToolCalls,
    byte[]? Snapshot);
