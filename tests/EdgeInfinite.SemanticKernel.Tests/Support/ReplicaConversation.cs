using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>
/// Runs one conversation turn by turn, each turn on a chosen client, passing only the new message and the
/// conversation id (the service keeps the transcript), and collects each turn's response.
/// </summary>
public static class ReplicaConversation
{
    public static ChatOptions Options(int maxTokens, string? route = null, string? conversationId = null)
    {
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = maxTokens, ConversationId = conversationId };
        if (route is not null)
        {
            options.AdditionalProperties = new() { [EdgeInfiniteMetadataKeys.Route] = route };
        }

        return options;
    }

    public static async Task<List<StreamedResponse>> RunAsync(IReadOnlyList<string> userTurns, Func<int, IChatClient> clientForTurn, int maxTokens, string? route = null)
    {
        var responses = new List<StreamedResponse>();
        string? conversationId = null;
        for (int i = 0; i < userTurns.Count; i++)
        {
            var r = await StreamedResponse.CollectAsync(clientForTurn(i), [new(ChatRole.User, userTurns[i])], Options(maxTokens, route, conversationId));
            conversationId ??= r.Final.ConversationId;
            Assert.Equal(conversationId, r.Final.ConversationId);
            responses.Add(r);
        }

        return responses;
    }

    /// <summary>Asserts that a conversation run across replicas equals one run on a single client, token for token, reusing as much.</summary>
    public static void AssertSame(IReadOnlyList<StreamedResponse> expected, IReadOnlyList<StreamedResponse> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Details.PromptTokenIds, actual[i].Details.PromptTokenIds);
            Assert.Equal(expected[i].TokenIds, actual[i].TokenIds);
            Assert.Equal(expected[i].Details.ReusedPromptTokens, actual[i].Details.ReusedPromptTokens);
            Assert.Equal(expected[i].Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route], actual[i].Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
            if (i > 0)
            {
                // Only the new turn is prefilled: everything before it comes from the restored state.
                Assert.True(actual[i].Details.ReusedPromptTokens > 0, $"turn {i} reused nothing");
                Assert.Equal(actual[i].Details.PromptTokenIds.Count - actual[i].Details.ReusedPromptTokens, actual[i].Metadata(EdgeInfiniteMetadataKeys.PromptTokensPrefilled));
                var usage = actual[i].Updates.SelectMany(u => u.Contents).OfType<UsageContent>().Single().Details;
                Assert.Equal(actual[i].Details.ReusedPromptTokens, usage.CachedInputTokenCount);
            }
        }
    }
}
