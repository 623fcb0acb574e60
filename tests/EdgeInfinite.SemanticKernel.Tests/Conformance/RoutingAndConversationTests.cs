using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests.Conformance;

/// <summary>Routing by the prompt, and the conversation-id rule, on the small converted package (threshold 512).</summary>
[Collection(TinyChatCollection.Name)]
public sealed class RoutingAndConversationTests(TinyChatPackage package)
{
    [Fact]
    public async Task GetResponseAsync_ShortPromptDefaultOptions_RunsOnTheShortRoute()
    {
        using var client = package.CreateClient();

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Hi!")], new ChatOptions { Temperature = 0, StopSequences = ["."] });

        // The default budget is 512 output tokens, so prompt + budget is over the threshold: the prompt alone decides.
        Assert.True(r.Details.PromptTokenIds.Count + RequestSettings.DefaultMaxOutputTokens > 512);
        Assert.True(r.Details.PromptTokenIds.Count + r.Details.OutputTokenIds.Count <= 512);
        Assert.Equal("short", r.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
    }

    [Fact]
    public async Task GetResponseAsync_GenerationCrossesTheThreshold_StartsShortAndConvertsToTheLongRoute()
    {
        using var client = package.CreateClient();
        string prompt = string.Join(' ', Enumerable.Range(0, 150).Select(i => $"w{i % 41}"));

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, prompt)], new ChatOptions { Temperature = 0, MaxOutputTokens = 200 });

        int prompted = r.Details.PromptTokenIds.Count;
        Assert.True(prompted <= 512, $"{prompted} prompt tokens");
        Assert.True(prompted + r.Details.OutputTokenIds.Count > 512, $"{prompted} + {r.Details.OutputTokenIds.Count} tokens do not cross 512");
        Assert.Equal("long", r.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.True(r.Metadata(EdgeInfiniteMetadataKeys.TokensInMemory) > 0);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownConversationId_ThrowsConversationNotFound()
    {
        using var client = package.CreateClient();

        var ex = await Assert.ThrowsAsync<ConversationNotFoundException>(() => client.GetResponseAsync([new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")])], new ChatOptions { ConversationId = "ei-unknown", MaxOutputTokens = 2 }));

        Assert.Equal("ei-unknown", ex.ConversationId);
        Assert.Contains("ei-unknown", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EvictedConversationId_ThrowsConversationNotFound()
    {
        using var client = package.CreateClient(cacheSize: 1);
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 1 };
        var first = await client.GetResponseAsync([new(ChatRole.User, "first")], options);

        // The client remembers 64 conversations at least (16 per kept state): 64 newer ones evict the first.
        for (int i = 0; i < 64; i++)
        {
            await client.GetResponseAsync([new(ChatRole.User, $"other {i}")], options);
        }

        await Assert.ThrowsAsync<ConversationNotFoundException>(async () =>
        {
            await foreach (var _ in client.GetStreamingResponseAsync([new(ChatRole.User, "again")], new ChatOptions { ConversationId = first.ConversationId, MaxOutputTokens = 1 }))
            {
            }
        });
    }

    [Fact]
    public async Task GetResponseAsync_KnownConversationId_ContinuesTheConversation()
    {
        using var client = package.CreateClient();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 2 };
        var first = await client.GetResponseAsync([new(ChatRole.User, "first")], options);

        var second = await client.GetResponseAsync([new(ChatRole.User, "second")], new ChatOptions { ConversationId = first.ConversationId, Temperature = 0, MaxOutputTokens = 2 });

        Assert.Equal(first.ConversationId, second.ConversationId);
        Assert.True(((EdgeInfiniteResponseDetails)second.RawRepresentation!).ReusedPromptTokens > 0);
    }
}
