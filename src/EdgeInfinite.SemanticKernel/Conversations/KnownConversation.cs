namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>What this process knows of a conversation's stored version: the base its next response continues.</summary>
/// <param name="Version">The stored version.</param>
/// <param name="EntryKey">The key of the full entry.</param>
/// <param name="FedIds">The ids the version's state was fed.</param>
/// <param name="Responses">The generated ids behind each assistant content so far.</param>
/// <param name="RawToolCalls">The raw tool calls so far.</param>
internal sealed record KnownConversation(
    long Version,
    string EntryKey,
    int[] FedIds,
    IReadOnlyList<KeyValuePair<string, int[]>> Responses,
    IReadOnlyList<KeyValuePair<string, string>> RawToolCalls);
