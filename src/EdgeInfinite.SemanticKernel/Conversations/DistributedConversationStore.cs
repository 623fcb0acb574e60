using System.Security.Cryptography;
using System.Text;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SemanticKernel.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>
/// The second level of conversation state, on an <see cref="IDistributedCache"/>: after each response the full entry
/// (transcript, fed ids, state snapshot) is written under a fresh key, then a small pointer naming it is published
/// under the conversation's key, so a reader never sees a partially written entry. Publishing is version-checked: a
/// response that continued version n is published only if the pointer still names version n (or none); otherwise
/// another request stored first and this response is not stored (first writer wins). Every read is untrusted: a
/// corrupt or foreign entry is dropped with a warning, a bad snapshot leaves the transcript to be prefilled, and a
/// failing store never fails a request. Keys: <c>{prefix}:{package revision}:conversation:{id}</c> (pointer) and
/// <c>{prefix}:{package revision}:entry:{id}:{version}:{nonce}</c> (entry).
/// </summary>
internal sealed class DistributedConversationStore
{
    private readonly IDistributedCache _cache;
    private readonly ConversationStoreOptions _options;
    private readonly EdgeInfiniteModel _model;
    private readonly ILogger _logger;
    private readonly BoundedLruMap<string, KnownConversation> _known;
    private readonly string _namespace;

    public DistributedConversationStore(IDistributedCache cache, ConversationStoreOptions options, EdgeInfiniteModel model, ILogger logger, int capacity)
    {
        _cache = cache;
        _options = options;
        _model = model;
        _logger = logger;
        _known = new BoundedLruMap<string, KnownConversation>(capacity, StringComparer.Ordinal);
        _namespace = $"{options.KeyPrefix}:{model.Config.Revision}:";
    }

    /// <summary>Gets the key of a conversation's pointer.</summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <returns>The key.</returns>
    public string PointerKey(string conversationId) => _namespace + "conversation:" + KeyPart(conversationId);

    /// <summary>Gets what this process knows of a conversation's stored version (the base of its next response).</summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <returns>The known version, or <see langword="null"/>.</returns>
    public KnownConversation? Known(string conversationId) => _known.TryGet(conversationId, out var known) ? known : null;

    /// <summary>
    /// Reads a conversation's current version when this process does not already hold it (its version and its state).
    /// </summary>
    /// <param name="conversationId">The conversation id.</param>
    /// <param name="holdsState">Whether the first level still holds a state fed exactly these ids.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The conversation to apply, or <see langword="null"/> when there is nothing newer (or nothing usable).</returns>
    public async Task<RestoredConversation?> RestoreAsync(string conversationId, Func<int[], bool> holdsState, CancellationToken cancellationToken)
    {
        try
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                var pointer = await ReadPointerAsync(conversationId, cancellationToken).ConfigureAwait(false);
                if (pointer is null)
                {
                    return null;
                }

                var known = Known(conversationId);
                if (known is not null && known.Version == pointer.Version && holdsState(known.FedIds))
                {
                    // This process holds the current version: only keep the entry alive (sliding expiration).
                    await _cache.RefreshAsync(pointer.EntryKey, cancellationToken).ConfigureAwait(false);
                    return null;
                }

                byte[]? bytes = await _cache.GetAsync(pointer.EntryKey, cancellationToken).ConfigureAwait(false);
                if (bytes is null)
                {
                    // A newer version replaced it between the two reads: read the pointer again, once.
                    continue;
                }

                return Restore(conversationId, pointer, bytes);
            }

            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            StoreLog.StoreFailed(_logger, conversationId, "restore", ex);
            return null;
        }
    }

    /// <summary>Stores a completed response as the version after <paramref name="baseVersion"/>.</summary>
    /// <param name="turn">The response.</param>
    /// <param name="baseVersion">The version the response continued (read when the request started).</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>The version stored, or 0 when it was not stored (conflict, too large or store failure).</returns>
    public async Task<long> PublishAsync(ConversationTurn turn, KnownConversation? baseVersion, CancellationToken cancellationToken)
    {
        string id = turn.ConversationId;
        string? entryKey = null;
        try
        {
            long version = (baseVersion?.Version ?? 0) + 1;
            var responses = new List<KeyValuePair<string, int[]>>(baseVersion?.Responses ?? []);
            if (turn.Response is { } response)
            {
                responses.Add(response);
            }

            var rawCalls = new List<KeyValuePair<string, string>>(baseVersion?.RawToolCalls ?? []);
            rawCalls.AddRange(turn.RawToolCalls);
            var entry = new ConversationEntry(id, version, turn.Transcript, turn.FedIds, turn.MemoryEnabled, responses, rawCalls, turn.Snapshot);
            byte[] bytes = ConversationEntrySerializer.Write(entry, _model.Config.Revision, _options.CompressSnapshots);
            if (bytes.Length > _options.MaxEntryBytes)
            {
                StoreLog.TooLarge(_logger, id, bytes.Length, _options.MaxEntryBytes);
                return 0;
            }

            var expiry = EntryOptions();
            entryKey = $"{_namespace}entry:{KeyPart(id)}:{version}:{Guid.NewGuid():N}";
            await _cache.SetAsync(entryKey, bytes, expiry, cancellationToken).ConfigureAwait(false);
            var current = await ReadPointerAsync(id, cancellationToken).ConfigureAwait(false);
            if (current is not null && current.Version != (baseVersion?.Version ?? 0))
            {
                StoreLog.Conflict(_logger, id, baseVersion?.Version ?? 0, current.Version);
                await _cache.RemoveAsync(entryKey, cancellationToken).ConfigureAwait(false);
                return 0;
            }

            await _cache.SetAsync(PointerKey(id), new ConversationPointer(version, entryKey).ToBytes(), expiry, cancellationToken).ConfigureAwait(false);
            _known.Set(id, new KnownConversation(version, entryKey, turn.FedIds, responses, rawCalls));
            StoreLog.Stored(_logger, id, version, bytes.Length);
            if (current is not null)
            {
                // The replaced entry; a reader that has just read the old pointer reads the pointer again.
                await _cache.RemoveAsync(current.EntryKey, cancellationToken).ConfigureAwait(false);
            }

            return version;
        }
        catch (Exception ex)
        {
            StoreLog.StoreFailed(_logger, id, "store", ex);
            return 0;
        }
    }

    private RestoredConversation? Restore(string conversationId, ConversationPointer pointer, byte[] bytes)
    {
        ConversationEntry entry;
        string? snapshotError;
        try
        {
            entry = ConversationEntrySerializer.Read(bytes, _model.Config.Revision, conversationId, _model.Config.Architecture.VocabSize, _options.MaxEntryBytes, out snapshotError);
            if (entry.Version != pointer.Version)
            {
                throw new InvalidDataException($"Stored conversation entry: version {entry.Version} is not the published version {pointer.Version}.");
            }
        }
        catch (InvalidDataException ex)
        {
            StoreLog.EntryDropped(_logger, conversationId, pointer.EntryKey, ex.Message);
            return null;
        }

        InferenceState? state = null;
        if (entry.Snapshot is { } snapshot)
        {
            try
            {
                // The engine's own checks apply: checksum, package revision, dimensions, bounds.
                state = _model.LoadState(new MemoryStream(snapshot, writable: false));
                if (state.TokenCount != entry.FedIds.Length || state.MemoryEnabled != entry.MemoryEnabled)
                {
                    throw new InvalidDataException($"The snapshot holds {state.TokenCount} tokens (memory {state.MemoryEnabled}); the entry says {entry.FedIds.Length} (memory {entry.MemoryEnabled}).");
                }

                if (!state.IsFinite())
                {
                    throw new InvalidDataException("The snapshot holds NaN or infinite values.");
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
            {
                state?.Dispose();
                state = null;
                snapshotError = ex.Message;
            }
        }

        if (snapshotError is not null)
        {
            StoreLog.SnapshotDropped(_logger, conversationId, snapshotError);
        }

        _known.Set(conversationId, new KnownConversation(entry.Version, pointer.EntryKey, entry.FedIds, entry.Responses, entry.RawToolCalls));
        StoreLog.Restored(_logger, conversationId, entry.Version, entry.FedIds.Length, state is not null);
        return new RestoredConversation(entry, state);
    }

    private async Task<ConversationPointer?> ReadPointerAsync(string conversationId, CancellationToken cancellationToken)
    {
        string key = PointerKey(conversationId);
        byte[]? bytes = await _cache.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return ConversationPointer.Parse(bytes, $"{_namespace}entry:{KeyPart(conversationId)}:");
        }
        catch (InvalidDataException ex)
        {
            StoreLog.EntryDropped(_logger, conversationId, key, ex.Message);
            return null;
        }
    }

    private DistributedCacheEntryOptions EntryOptions() => new()
    {
        SlidingExpiration = _options.SlidingExpiration,
        AbsoluteExpirationRelativeToNow = _options.AbsoluteExpiration,
    };

    // Client-chosen ids go into keys as they are when short and printable; others by their SHA-256.
    private static string KeyPart(string conversationId) =>
        conversationId.Length <= 200 && conversationId.All(c => c > ' ' && c < 127)
            ? conversationId
            : "sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(conversationId)));
}
