namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// A request named a <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> this client does not know: not
/// one it returned, or one it has since forgotten (its transcripts are bounded, least recently used first). The
/// request is refused rather than answered from its own messages alone, which would silently drop the history.
/// Start a new conversation by sending the whole history without a conversation id.
/// </summary>
public sealed class ConversationNotFoundException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ConversationNotFoundException"/> class.</summary>
    public ConversationNotFoundException()
        : base("The conversation is not known to this client.")
    {
        ConversationId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ConversationNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ConversationNotFoundException(string message)
        : base(message)
    {
        ConversationId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ConversationNotFoundException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConversationNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
        ConversationId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ConversationNotFoundException"/> class for a conversation id.</summary>
    /// <param name="conversationId">The unknown id.</param>
    /// <param name="capacity">How many conversations the client remembers.</param>
    public ConversationNotFoundException(string conversationId, int capacity)
        : base($"Conversation '{conversationId}' is not known to this client: it was not returned by it, or it was forgotten (the client remembers the {capacity} most recently used conversations). Send the whole history without ChatOptions.ConversationId to start a new conversation.")
    {
        ConversationId = conversationId;
    }

    /// <summary>Gets the unknown conversation id.</summary>
    public string ConversationId { get; }
}
