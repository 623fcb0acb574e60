using EdgeInfinite.SemanticKernel.Conversations;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace EdgeInfinite.SemanticKernel.Tests.Conversations;

/// <summary>
/// The conversation store on a real Redis (started by <see cref="RedisServer"/>), with replicas that each load their
/// own model: in this process, and in a second OS process (the replicas sample).
/// </summary>
[Collection(TinyChatCollection.Name)]
public sealed class RedisConversationStoreTests(TinyChatPackage package, RedisServer redis) : IClassFixture<RedisServer>
{
    private const int MaxTokens = 4;

    [SkippableFact]
    public async Task GetResponseAsync_TwentyConversationsTenTurnsAlternatingTwoProcesses_EqualOneProcessAndPrefillOnlyNewTokens()
    {
        Skip.If(redis.SkipReason is not null, redis.SkipReason);
        const int conversations = 20, turns = 10;
        string Message(int c, int t) => $"Conversation {c}, turn {t}: tell me about item {(c * 10) + t}.";
        using var single = package.CreateClient(cacheSize: conversations);
        var expected = new List<List<StreamedResponse>>();
        for (int c = 0; c < conversations; c++)
        {
            expected.Add(await ReplicaConversation.RunAsync([.. Enumerable.Range(0, turns).Select(t => Message(c, t))], _ => single, MaxTokens));
        }

        using var cache = NewRedisCache();
        using var local = NewReplica(cache);
        using var child = await ChildReplica.StartAsync(redis.Configuration, package.PackagePath, MaxTokens);
        var ids = new string?[conversations];
        int childTurns = 0;
        for (int t = 0; t < turns; t++)
        {
            for (int c = 0; c < conversations; c++)
            {
                var want = expected[c][t];
                int[] prompt, tokens;
                int reused;
                long prefilled;
                if ((c + t) % 2 == 0)
                {
                    var r = await StreamedResponse.CollectAsync(local, [new(ChatRole.User, Message(c, t))], ReplicaConversation.Options(MaxTokens, conversationId: ids[c]));
                    (ids[c], prompt, tokens, reused, prefilled) = (r.Final.ConversationId, [.. r.Details.PromptTokenIds], r.TokenIds, r.Details.ReusedPromptTokens, r.Metadata(EdgeInfiniteMetadataKeys.PromptTokensPrefilled));
                }
                else
                {
                    var r = await child.AskAsync(Message(c, t), ids[c]);
                    (ids[c], prompt, tokens, reused, prefilled) = (r.ConversationId, r.PromptTokenIds, r.TokenIds, r.Reused, r.Prefilled);
                    childTurns++;
                }

                Assert.Equal(want.Details.PromptTokenIds, prompt);
                Assert.Equal(want.TokenIds, tokens);
                Assert.Equal(want.Details.ReusedPromptTokens, reused);
                Assert.Equal(prompt.Length - reused, prefilled);
                Assert.True(t == 0 || reused > 0, $"conversation {c} turn {t} reused nothing");
            }
        }

        Assert.Equal(conversations * turns / 2, childTurns);
    }

    [SkippableFact]
    public async Task GetResponseAsync_ReplicaKilledMidRequest_EveryConversationContinuesFromItsLastCompletedTurnOnTheOther()
    {
        Skip.If(redis.SkipReason is not null, redis.SkipReason);
        const int conversations = 4;
        string[] script = ["Hello there.", "Tell me more.", "Interesting!"];
        using var cache = NewRedisCache();
        using var local = NewReplica(cache);
        var ids = new string?[conversations];
        using (var child = await ChildReplica.StartAsync(redis.Configuration, package.PackagePath, MaxTokens))
        {
            for (int t = 0; t < script.Length; t++)
            {
                for (int c = 0; c < conversations; c++)
                {
                    string message = $"{c}: {script[t]}";
                    ids[c] = (c + t) % 2 == 0
                        ? (await StreamedResponse.CollectAsync(local, [new(ChatRole.User, message)], ReplicaConversation.Options(MaxTokens, conversationId: ids[c]))).Final.ConversationId
                        : (await child.AskAsync(message, ids[c])).ConversationId;
                }
            }

            // A long turn (several prefill chunks), killed with SIGKILL once its prefill is under way.
            await child.SendAsync(string.Join(' ', Enumerable.Range(0, 1500).Select(i => $"w{i % 97}")), ids[0], maxTokens: 64);
            await child.WaitForPrefillAsync();
            child.KillNow();
        }

        using var single = package.CreateClient(cacheSize: 0);
        for (int c = 0; c < conversations; c++)
        {
            string[] turns = [.. script.Select(s => $"{c}: {s}"), "Continue."];
            var expected = await ReplicaConversation.RunAsync(turns, _ => single, MaxTokens);

            var next = await StreamedResponse.CollectAsync(local, [new(ChatRole.User, "Continue.")], ReplicaConversation.Options(MaxTokens, conversationId: ids[c]));

            Assert.Equal(expected[^1].Details.PromptTokenIds, next.Details.PromptTokenIds);
            Assert.Equal(expected[^1].TokenIds, next.TokenIds);
            Assert.True(next.Details.ReusedPromptTokens > 0);
        }
    }

    [SkippableFact]
    public async Task GetResponseAsync_EightConcurrentConversationsOnEachOfTwoReplicas_NothingLostNoCrossTalk()
    {
        Skip.If(redis.SkipReason is not null, redis.SkipReason);
        const int conversations = 16, turns = 3;
        string Message(int c, int t) => $"Topic {c} (turn {t}): what about number {c * 31}?";
        using var single = package.CreateClient(cacheSize: 0);
        var expected = new List<List<StreamedResponse>>();
        for (int c = 0; c < conversations; c++)
        {
            expected.Add(await ReplicaConversation.RunAsync([.. Enumerable.Range(0, turns).Select(t => Message(c, t))], _ => single, MaxTokens));
        }

        using var cacheA = NewRedisCache();
        using var cacheB = NewRedisCache();
        using var a = NewReplica(cacheA);
        using var b = NewReplica(cacheB);

        // Each conversation runs its turns in order; all sixteen at once, so each replica serves eight at a time.
        var actual = await Task.WhenAll(Enumerable.Range(0, conversations).Select(c => Task.Run(() =>
            ReplicaConversation.RunAsync([.. Enumerable.Range(0, turns).Select(t => Message(c, t))], t => (c + t) % 2 == 0 ? a : b, MaxTokens))));

        string revision = package.Model.Config.Revision;
        for (int c = 0; c < conversations; c++)
        {
            Assert.Equal(expected[c].Select(r => r.TokenIds), actual[c].Select(r => r.TokenIds));
            Assert.Equal(expected[c].Select(r => r.Details.PromptTokenIds), actual[c].Select(r => r.Details.PromptTokenIds));
            string id = actual[c][0].Final.ConversationId!;
            var pointer = ConversationPointer.Parse((await cacheA.GetAsync($"edgeinfinite:{revision}:conversation:{id}"))!, $"edgeinfinite:{revision}:entry:{id}:");
            var entry = ConversationEntrySerializer.Read((await cacheA.GetAsync(pointer.EntryKey))!, revision, id, TinyChatPackage.Vocab, ConversationStoreOptions.DefaultMaxEntryBytes, out _);
            Assert.Equal(turns, pointer.Version);
            Assert.Equal(Enumerable.Range(0, turns).SelectMany(t => (string[])[Message(c, t), actual[c][t].Text]), entry.Transcript.Select(m => m.Text));
        }

        Assert.Equal(conversations, actual.Select(r => r[0].Final.ConversationId).Distinct().Count());
    }

    private RedisCache NewRedisCache() => new(Options.Create(new RedisCacheOptions { Configuration = redis.Configuration }));

    // A replica with its own model load, as another process would have.
    private EdgeInfiniteChatClient NewReplica(RedisCache cache) =>
        new(new EdgeInfiniteChatOptions { PackagePath = package.PackagePath, IntraOpThreads = 1, ConversationStore = cache });
}
