using EdgeInfinite.SemanticKernel.Conversations;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeInfinite.SemanticKernel.Tests.Conversations;

/// <summary>
/// The distributed conversation store on a real in-process <see cref="IDistributedCache"/> (<see cref="MemoryDistributedCache"/>):
/// replicas are separately constructed clients sharing one store; exactness against one client that never stopped.
/// </summary>
[Collection(TinyChatCollection.Name)]
public sealed class ConversationStoreTests(TinyChatPackage package)
{
    private static readonly string[] s_turns = ["Hi! Tell me a story.", "Go on.", "And then?", "Why?", "Finish it."];

    private static MemoryDistributedCache NewCache() => new(Options.Create(new MemoryDistributedCacheOptions()));

    private EdgeInfiniteChatClient Replica(IDistributedCache store, ILoggerFactory? logs = null, int cacheSize = 4) =>
        new(package.Model, new EdgeInfiniteChatOptions { ConversationCacheSize = cacheSize, ConversationStore = store }, logs);

    [Theory]
    [InlineData(null)]
    [InlineData("long")]
    public async Task GetStreamingResponseAsync_TurnsAlternateBetweenReplicas_SameTokensAsOneClientAndOnlyNewTurnsPrefilled(string? route)
    {
        using var single = package.CreateClient();
        var store = NewCache();
        using var a = Replica(store);
        using var b = Replica(store);

        var expected = await ReplicaConversation.RunAsync(s_turns, _ => single, 8, route);
        var actual = await ReplicaConversation.RunAsync(s_turns, i => i % 2 == 0 ? a : b, 8, route);

        ReplicaConversation.AssertSame(expected, actual);
        if (route == "long")
        {
            Assert.True(actual[^1].Metadata(EdgeInfiniteMetadataKeys.TokensInMemory) > 0);
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConversationCrossesThresholdOnAnotherReplica_ConvertsAndEqualsOneClient()
    {
        string[] turns =
        [
            string.Join(' ', Enumerable.Range(0, 120).Select(i => $"a{i % 37}")),
            string.Join(' ', Enumerable.Range(0, 250).Select(i => $"b{i % 29}")),
            "Summarise.",
        ];
        using var single = package.CreateClient();
        var store = NewCache();
        using var a = Replica(store);
        using var b = Replica(store);

        var expected = await ReplicaConversation.RunAsync(turns, _ => single, 4);
        var actual = await ReplicaConversation.RunAsync(turns, i => i % 2 == 0 ? a : b, 4);

        ReplicaConversation.AssertSame(expected, actual);
        Assert.Equal("short", actual[0].Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.Equal("long", actual[1].Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.True(actual[2].Metadata(EdgeInfiniteMetadataKeys.TokensInMemory) > 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ReplicaRestartedWithEmptyMemory_ContinuesFromTheStore()
    {
        using var single = package.CreateClient();
        var store = NewCache();
        var expected = await ReplicaConversation.RunAsync(s_turns, _ => single, 8);

        // A new client per turn: every turn starts in a process that has never seen the conversation.
        var clients = new List<EdgeInfiniteChatClient>();
        try
        {
            var actual = await ReplicaConversation.RunAsync(s_turns, _ =>
            {
                var c = Replica(store);
                clients.Add(c);
                return c;
            }, 8);
            ReplicaConversation.AssertSame(expected, actual);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StoredEntry_IsNamespacedByPackageRevisionAndPublishedThroughAPointer()
    {
        var store = NewCache();
        using var a = Replica(store);

        var r = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, "Hello")], ReplicaConversation.Options(6));

        string pointerKey = $"edgeinfinite:{package.Model.Config.Revision}:conversation:{r.Final.ConversationId}";
        var pointer = ConversationPointer.Parse((await store.GetAsync(pointerKey))!, $"edgeinfinite:{package.Model.Config.Revision}:entry:{r.Final.ConversationId}:");
        Assert.Equal(1, pointer.Version);
        var entry = ConversationEntrySerializer.Read((await store.GetAsync(pointer.EntryKey))!, package.Model.Config.Revision, r.Final.ConversationId!, TinyChatPackage.Vocab, ConversationStoreOptions.DefaultMaxEntryBytes, out string? snapshotError);
        Assert.Null(snapshotError);
        Assert.Equal(2, entry.Transcript.Count);
        Assert.Equal(r.Text, entry.Transcript[1].Text);
        Assert.NotNull(entry.Snapshot);
        Assert.Equal([.. r.Details.PromptTokenIds, .. r.TokenIds.Take(entry.FedIds.Length - r.Details.PromptTokenIds.Count)], entry.FedIds);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NextTurn_ReplacesThePreviousEntry()
    {
        var store = NewCache();
        using var a = Replica(store);
        using var b = Replica(store);
        var first = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, "Hello")], ReplicaConversation.Options(6));
        string id = first.Final.ConversationId!;
        var (pointer1, _) = await ReadAsync(store, id);

        await StreamedResponse.CollectAsync(b, [new(ChatRole.User, "More.")], ReplicaConversation.Options(6, conversationId: id));
        var (pointer2, entry2) = await ReadAsync(store, id);

        Assert.Equal(2, pointer2.Version);
        Assert.Equal(4, entry2.Transcript.Count);
        Assert.Null(await store.GetAsync(pointer1.EntryKey));
    }

    [Theory]
    [InlineData("snapshot-byte")]
    [InlineData("snapshot-truncated")]
    [InlineData("snapshot-nan")]
    public async Task GetStreamingResponseAsync_CorruptSnapshot_WarnsAndRebuildsFromTranscriptWithSameTokens(string damage)
    {
        using var single = package.CreateClient();
        var store = NewCache();
        using var logs = new CallbackLoggerFactory();
        using var a = Replica(store);
        using var b = Replica(store, logs);
        var expected = await ReplicaConversation.RunAsync(s_turns[..2], _ => single, 8);
        var turn1 = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, s_turns[0])], ReplicaConversation.Options(8));
        string id = turn1.Final.ConversationId!;
        var (pointer, entry) = await ReadAsync(store, id);
        byte[] bytes = (await store.GetAsync(pointer.EntryKey))!;
        byte[] damaged = damage switch
        {
            "snapshot-byte" => Flip(bytes, bytes.Length - 100),
            "snapshot-truncated" => bytes[..^1000],
            _ => ConversationEntrySerializer.Write(entry with { Snapshot = WithNaN(entry.Snapshot!) }, package.Model.Config.Revision, compress: false),
        };
        await store.SetAsync(pointer.EntryKey, damaged);

        var turn2 = await StreamedResponse.CollectAsync(b, [new(ChatRole.User, s_turns[1])], ReplicaConversation.Options(8, conversationId: id));

        // The transcript survives: same prompt and tokens as one client, but prefilled in full.
        Assert.Equal(expected[1].Details.PromptTokenIds, turn2.Details.PromptTokenIds);
        Assert.Equal(expected[1].TokenIds, turn2.TokenIds);
        Assert.Equal(0, turn2.Details.ReusedPromptTokens);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("snapshot is unusable", StringComparison.Ordinal));
        // The next turn stores a good entry again.
        Assert.Equal(2, (await ReadAsync(store, id)).Pointer.Version);
    }

    [Theory]
    [InlineData("body-byte")]
    [InlineData("foreign-revision")]
    [InlineData("other-conversation")]
    [InlineData("garbage")]
    [InlineData("empty")]
    [InlineData("out-of-vocabulary")]
    [InlineData("pointer-garbage")]
    public async Task GetStreamingResponseAsync_CorruptOrForeignEntry_WarnsDropsItAndAnswers(string damage)
    {
        var store = NewCache();
        using var logs = new CallbackLoggerFactory();
        using var a = Replica(store);
        using var b = Replica(store, logs);
        var turn1 = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, s_turns[0])], ReplicaConversation.Options(8));
        string id = turn1.Final.ConversationId!;
        var (pointer, entry) = await ReadAsync(store, id);
        byte[] bytes = (await store.GetAsync(pointer.EntryKey))!;
        string revision = package.Model.Config.Revision;
        switch (damage)
        {
            case "body-byte": await store.SetAsync(pointer.EntryKey, Flip(bytes, 40)); break;
            case "foreign-revision": await store.SetAsync(pointer.EntryKey, ConversationEntrySerializer.Write(entry, "another-revision", compress: false)); break;
            case "other-conversation": await store.SetAsync(pointer.EntryKey, ConversationEntrySerializer.Write(entry with { ConversationId = "someone-else" }, revision, compress: false)); break;
            case "garbage": await store.SetAsync(pointer.EntryKey, new byte[5000]); break;
            case "empty": await store.SetAsync(pointer.EntryKey, []); break;
            case "out-of-vocabulary": await store.SetAsync(pointer.EntryKey, ConversationEntrySerializer.Write(entry with { FedIds = [.. entry.FedIds[..^1], TinyChatPackage.Vocab + 5] }, revision, compress: false)); break;
            default: await store.SetAsync($"edgeinfinite:{revision}:conversation:{id}", new byte[] { 1, 2, 3 }); break;
        }

        // The entry cannot be trusted, so nothing of it is used: on a replica that has never seen the conversation it is
        // not found (the documented exception, not a crash, and never a silent fresh start).
        var ex = await Assert.ThrowsAsync<ConversationNotFoundException>(() => StreamedResponse.CollectAsync(b, [new(ChatRole.User, s_turns[1])], ReplicaConversation.Options(8, conversationId: id)));

        Assert.Equal(id, ex.ConversationId);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("was dropped", StringComparison.Ordinal));
        // The replica that answered turn 1 still continues from its own state.
        var onA = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, s_turns[1])], ReplicaConversation.Options(8, conversationId: id));
        Assert.True(onA.Details.ReusedPromptTokens > 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_TwoReplicasContinueTheSameVersionAtOnce_FirstWriterWinsAndBothContinueIt()
    {
        var store = NewCache();
        using var b = Replica(store);
        string? id = null;
        StreamedResponse? bTurn = null;
        using var logs = new CallbackLoggerFactory((_, message) =>
        {
            // A's engine has started turn 2 from version 1: B now completes its own turn 2 first.
            if (id is not null && bTurn is null && message.Contains("to prefill", StringComparison.Ordinal))
            {
                bTurn = StreamedResponse.CollectAsync(b, [new(ChatRole.User, "B asks.")], ReplicaConversation.Options(8, conversationId: id)).GetAwaiter().GetResult();
            }
        });
        using var a = Replica(store, logs);
        var turn1 = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, s_turns[0])], ReplicaConversation.Options(8));
        id = turn1.Final.ConversationId!;

        var aTurn = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, "A asks.")], ReplicaConversation.Options(8, conversationId: id));

        Assert.NotNull(bTurn);
        Assert.NotEmpty(aTurn.TokenIds);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("the first writer wins", StringComparison.Ordinal));
        var (pointer, entry) = await ReadAsync(store, id);
        Assert.Equal(2, pointer.Version);
        Assert.Equal(["B asks.", bTurn.Text], entry.Transcript.Skip(2).Select(m => m.Text));

        // A's next turn continues B's version (the stored one), exactly as one client given that history would.
        var aNext = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, "Next.")], ReplicaConversation.Options(8, conversationId: id));
        using var single = package.CreateClient();
        var reference = await ReplicaConversation.RunAsync([s_turns[0], "B asks.", "Next."], _ => single, 8);
        Assert.Equal(reference[2].Details.PromptTokenIds, aNext.Details.PromptTokenIds);
        Assert.Equal(reference[2].TokenIds, aNext.TokenIds);
        Assert.True(aNext.Details.ReusedPromptTokens > 0);
        Assert.Equal(3, (await ReadAsync(store, id)).Pointer.Version);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_StoreFails_RequestStillAnswersAndWarns()
    {
        using var logs = new CallbackLoggerFactory();
        using var a = Replica(new FailingCache(), logs);

        var first = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, "Hello")], ReplicaConversation.Options(6));
        var second = await StreamedResponse.CollectAsync(a, [new(ChatRole.User, "More.")], ReplicaConversation.Options(6, conversationId: first.Final.ConversationId));

        // The conversation continues on this process's own transcript and state.
        Assert.NotEmpty(second.TokenIds);
        Assert.True(second.Details.ReusedPromptTokens > 0);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("store failed during restore", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("store failed during store", StringComparison.Ordinal));
    }

    private async Task<(ConversationPointer Pointer, ConversationEntry Entry)> ReadAsync(IDistributedCache store, string id)
    {
        string revision = package.Model.Config.Revision;
        var pointer = ConversationPointer.Parse((await store.GetAsync($"edgeinfinite:{revision}:conversation:{id}"))!, $"edgeinfinite:{revision}:entry:{id}:");
        var entry = ConversationEntrySerializer.Read((await store.GetAsync(pointer.EntryKey))!, revision, id, TinyChatPackage.Vocab, ConversationStoreOptions.DefaultMaxEntryBytes, out _);
        return (pointer, entry);
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        var copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    // A NaN in the snapshot's KV values, with the snapshot's own checksum recomputed: only the finiteness check can catch it.
    private static byte[] WithNaN(byte[] snapshot)
    {
        var copy = (byte[])snapshot.Clone();
        int at = copy.Length - 32 - 8;
        BitConverter.TryWriteBytes(copy.AsSpan(at, 4), float.NaN);
        System.Security.Cryptography.SHA256.HashData(copy.AsSpan(0, copy.Length - 32)).CopyTo(copy.AsSpan(copy.Length - 32));
        return copy;
    }

    /// <summary>A store whose every call fails, as an unreachable Redis does.</summary>
    private sealed class FailingCache : IDistributedCache
    {
        public byte[]? Get(string key) => throw new IOException("store unreachable");

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromException<byte[]?>(new IOException("store unreachable"));

        public void Refresh(string key) => throw new IOException("store unreachable");

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.FromException(new IOException("store unreachable"));

        public void Remove(string key) => throw new IOException("store unreachable");

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.FromException(new IOException("store unreachable"));

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new IOException("store unreachable");

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.FromException(new IOException("store unreachable"));
    }
}
