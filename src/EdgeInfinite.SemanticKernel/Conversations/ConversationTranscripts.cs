using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>
/// The transcripts behind the conversation ids the client returns (bounded, least recently used first). The one
/// place a conversation id is looked up: an unknown id is a <see cref="ConversationNotFoundException"/>, never a
/// silent fresh conversation. Thread-safe.
/// </summary>
internal sealed class ConversationTranscripts(int capacity)
{
    private readonly BoundedLruMap<string, ChatMessage[]> _map = new(capacity, StringComparer.Ordinal);

    /// <summary>Gets how many conversations are remembered at most.</summary>
    public int Capacity => capacity;

    /// <summary>Resolves a request's whole history.</summary>
    /// <param name="conversationId">The request's conversation id, or <see langword="null"/>/empty for a new conversation.</param>
    /// <param name="incoming">The request's messages.</param>
    /// <param name="history">The whole history: the kept transcript plus the request's messages.</param>
    /// <returns>The conversation id of the response (the given one, or a new one).</returns>
    /// <exception cref="ConversationNotFoundException">The id is not known.</exception>
    public string Resolve(string? conversationId, List<ChatMessage> incoming, out List<ChatMessage> history)
    {
        if (string.IsNullOrEmpty(conversationId))
        {
            history = incoming;
            return "ei-" + Guid.NewGuid().ToString("N");
        }

        if (!_map.TryGet(conversationId, out var stored))
        {
            throw new ConversationNotFoundException(conversationId, capacity);
        }

        history = [.. stored, .. incoming];
        return conversationId;
    }

    /// <summary>Remembers a conversation's transcript after a response.</summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <param name="transcript">The whole history, the response included.</param>
    public void Remember(string conversationId, ChatMessage[] transcript) => _map.Set(conversationId, transcript);
}
