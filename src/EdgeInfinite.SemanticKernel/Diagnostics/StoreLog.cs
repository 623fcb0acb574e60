using Microsoft.Extensions.Logging;

namespace EdgeInfinite.SemanticKernel.Diagnostics;

/// <summary>Source-generated log messages of the distributed conversation store (event ids from 100).</summary>
internal static partial class StoreLog
{
    [LoggerMessage(100, LogLevel.Warning, "Conversation '{ConversationId}': the stored entry '{Key}' was dropped: {Reason}")]
    public static partial void EntryDropped(ILogger logger, string conversationId, string key, string reason);

    [LoggerMessage(101, LogLevel.Warning, "Conversation '{ConversationId}': the stored state snapshot is unusable ({Reason}); the conversation is rebuilt from its stored transcript.")]
    public static partial void SnapshotDropped(ILogger logger, string conversationId, string reason);

    [LoggerMessage(102, LogLevel.Warning, "Conversation '{ConversationId}': version {CurrentVersion} was published by another request while this one continued version {BaseVersion}; this response is not stored (the first writer wins).")]
    public static partial void Conflict(ILogger logger, string conversationId, long baseVersion, long currentVersion);

    [LoggerMessage(103, LogLevel.Warning, "Conversation '{ConversationId}': the conversation store failed during {Operation}; the conversation continues from this process's state.")]
    public static partial void StoreFailed(ILogger logger, string conversationId, string operation, Exception exception);

    [LoggerMessage(104, LogLevel.Debug, "Conversation '{ConversationId}': restored version {Version} from the store ({FedTokens} fed tokens, state {StateRestored}).")]
    public static partial void Restored(ILogger logger, string conversationId, long version, int fedTokens, bool stateRestored);

    [LoggerMessage(105, LogLevel.Debug, "Conversation '{ConversationId}': stored version {Version} ({Bytes} bytes).")]
    public static partial void Stored(ILogger logger, string conversationId, long version, int bytes);

    [LoggerMessage(106, LogLevel.Warning, "Conversation '{ConversationId}': the entry of {Bytes} bytes is over the store's limit of {MaxBytes}; it is not stored.")]
    public static partial void TooLarge(ILogger logger, string conversationId, int bytes, long maxBytes);
}
