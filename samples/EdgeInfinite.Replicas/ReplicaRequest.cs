namespace EdgeInfinite.Samples.Replicas;

/// <summary>One request line of the replica protocol: a new user message, and the conversation it continues (if any).</summary>
internal sealed record ReplicaRequest(string Message, string? ConversationId, int? MaxTokens, string? Route);
