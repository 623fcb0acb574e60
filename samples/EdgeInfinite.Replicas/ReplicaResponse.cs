namespace EdgeInfinite.Samples.Replicas;

/// <summary>One response line of the replica protocol: the answer and the engine's numbers.</summary>
internal sealed record ReplicaResponse(
    string Replica,
    string ConversationId,
    string Text,
    int[] TokenIds,
    int[] PromptTokenIds,
    int Reused,
    long Prefilled,
    string Route);
