using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Tests of <see cref="EdgeInfiniteChatClient"/> on a real (random-weight) converted model.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class ChatClientTests(TinyChatPackage package)
{
    private static ChatOptions Greedy(int maxTokens = 12) => new() { Temperature = 0, MaxOutputTokens = maxTokens };

    [Fact]
    public async Task GetStreamingResponseAsync_Greedy_TextIsTheDecodedGeneratedIds()
    {
        using var client = package.CreateClient();

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Hello there, how are you?")], Greedy(16));

        Assert.NotEmpty(r.TokenIds);
        Assert.False(string.IsNullOrEmpty(r.Text));
        Assert.Equal(package.Model.Tokenizer.Decode(r.TokenIds), r.Text);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AnyRequest_OneMessageIdAndOneFinalUpdateWithUsage()
    {
        using var client = package.CreateClient();

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Count to three.")], Greedy(10));

        Assert.Single(r.Updates.Select(u => u.MessageId).Distinct());
        Assert.NotNull(r.Updates[0].MessageId);
        var usage = Assert.Single(r.Updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Same(r.Final, r.Updates.Single(u => u.Contents.OfType<UsageContent>().Any()));
        Assert.Equal(r.Details.PromptTokenIds.Count, usage.InputTokenCount);
        Assert.Equal(r.TokenIds.Length, usage.OutputTokenCount);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
        Assert.NotNull(r.Final.ConversationId);
        Assert.NotNull(r.Final.FinishReason);
        Assert.Equal(r.Details.FinishReason == GenerationFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop, r.Final.FinishReason);
        Assert.Equal("short", r.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.Equal(usage.InputTokenCount, r.Metadata(EdgeInfiniteMetadataKeys.PromptTokensPrefilled));
        Assert.Equal(0, r.Metadata(EdgeInfiniteMetadataKeys.PromptTokensReused));
        Assert.True(r.Metadata(EdgeInfiniteMetadataKeys.StateBytes) > 0);
        Assert.True(Convert.ToDouble(r.Final.AdditionalProperties[EdgeInfiniteMetadataKeys.TimeToFirstTokenMs], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task GetResponseAsync_Greedy_SameAsStreamingAndMetadataOnResponseAndMessage()
    {
        using var client = package.CreateClient(cacheSize: 0);
        ChatMessage[] messages = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "Name a colour.")];

        var streamed = await StreamedResponse.CollectAsync(client, messages, Greedy());
        var response = await client.GetResponseAsync(messages, Greedy());

        Assert.Equal(streamed.Text, response.Text);
        Assert.Single(response.Messages);
        Assert.Equal(streamed.Details.PromptTokenIds.Count, response.Usage!.InputTokenCount);
        Assert.Equal("short", response.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.Equal("short", response.Messages[0].AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.Equal(client.ModelId, response.ModelId);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_UpdatesCoalesced_OneAssistantMessageWithOneTextContent()
    {
        using var client = package.CreateClient();

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Hello")], Greedy(10));
        var history = new List<ChatMessage>();
        history.AddMessages(r.Updates);

        var message = Assert.Single(history);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.Equal(r.Text, Assert.IsType<TextContent>(Assert.Single(message.Contents)).Text);
    }

    [Fact]
    public async Task GetResponseAsync_DefaultOptions_SamplesSoRepeatedAnswersDiffer()
    {
        using var client = package.CreateClient(cacheSize: 0);
        var answers = new HashSet<string>();

        for (int i = 0; i < 3; i++)
        {
            var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Give me a random word.")], new ChatOptions { MaxOutputTokens = 16 });
            answers.Add(string.Join(',', r.TokenIds));
        }

        Assert.True(answers.Count >= 2);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_EngineBusy_CallerIsNotBlocked()
    {
        using var client = package.CreateClient();
        using var gate = new ManualResetEventSlim(false);
        var options = Greedy(4);
        options.AdditionalProperties = new()
        {
            [EdgeInfiniteMetadataKeys.PrefillProgress] = new SyncProgress<PrefillProgress>(_ =>
            {
                gate.Wait(TimeSpan.FromSeconds(30));
            }),
        };

        await using var updates = client.GetStreamingResponseAsync([new(ChatRole.User, "hello")], options).GetAsyncEnumerator();
        var first = updates.MoveNextAsync();

        // The engine is now blocked inside the prefill (in the progress callback); the caller already has control back.
        bool completedWhileEngineBlocked = first.IsCompleted;
        gate.Set();

        Assert.False(completedWhileEngineBlocked);
        Assert.True(await first);
        while (await updates.MoveNextAsync())
        {
        }
    }

    [Fact]
    public async Task GetResponseAsync_GreedyTwice_SameTokens()
    {
        using var client = package.CreateClient();
        ChatMessage[] messages = [new(ChatRole.User, "Tell me a story about a fox.")];

        var first = await StreamedResponse.CollectAsync(client, messages, Greedy(20));
        var second = await StreamedResponse.CollectAsync(client, messages, Greedy(20));

        Assert.Equal(first.TokenIds, second.TokenIds);
    }

    [Fact]
    public async Task GetResponseAsync_SameSeed_SameSampledTokens()
    {
        using var client = package.CreateClient();
        ChatMessage[] messages = [new(ChatRole.User, "Say something.")];
        var options = new ChatOptions { Temperature = 1.0f, TopK = 50, TopP = 0.9f, Seed = 42, MaxOutputTokens = 16 };

        var first = await StreamedResponse.CollectAsync(client, messages, options);
        var second = await StreamedResponse.CollectAsync(client, messages, options);

        Assert.Equal(first.TokenIds, second.TokenIds);
    }

    [Fact]
    public async Task SecondTurn_FullHistory_ReusesStateAndGivesTheSameTokensAsFullPrefill()
    {
        using var reusing = package.CreateClient(cacheSize: 4);
        using var fresh = package.CreateClient(cacheSize: 0);
        var history = new List<ChatMessage> { new(ChatRole.System, "Be helpful."), new(ChatRole.User, "What is a window?") };

        var turn1 = await StreamedResponse.CollectAsync(reusing, history, Greedy(12));
        var turn1Fresh = await StreamedResponse.CollectAsync(fresh, history, Greedy(12));
        history.Add(new ChatMessage(ChatRole.Assistant, turn1.Text));
        history.Add(new ChatMessage(ChatRole.User, "And what is a door?"));
        var turn2 = await StreamedResponse.CollectAsync(reusing, history, Greedy(12));
        var turn2Fresh = await StreamedResponse.CollectAsync(fresh, history, Greedy(12));

        Assert.Equal(turn1.TokenIds, turn1Fresh.TokenIds);
        Assert.True(turn2.Details.ReusedPromptTokens > turn1.Details.PromptTokenIds.Count, $"reused {turn2.Details.ReusedPromptTokens}");
        Assert.Equal(turn2.Details.ReusedPromptTokens, turn2.Metadata(EdgeInfiniteMetadataKeys.PromptTokensReused));
        Assert.Equal(turn2.Details.PromptTokenIds.Count - turn2.Details.ReusedPromptTokens, turn2.Metadata(EdgeInfiniteMetadataKeys.PromptTokensPrefilled));
        Assert.Equal(0, turn2Fresh.Details.ReusedPromptTokens);
        Assert.Equal(turn2Fresh.Details.PromptTokenIds, turn2.Details.PromptTokenIds);
        Assert.Equal(turn2Fresh.TokenIds, turn2.TokenIds);
    }

    [Fact]
    public async Task SecondTurn_EditedHistory_DoesNotReuseAndMatchesFullPrefill()
    {
        using var reusing = package.CreateClient(cacheSize: 4);
        using var fresh = package.CreateClient(cacheSize: 0);
        var history = new List<ChatMessage> { new(ChatRole.User, "Pick a number.") };

        var turn1 = await StreamedResponse.CollectAsync(reusing, history, Greedy(8));
        history.Add(new ChatMessage(ChatRole.Assistant, turn1.Text + " (edited)"));
        history.Add(new ChatMessage(ChatRole.User, "Why?"));
        var turn2 = await StreamedResponse.CollectAsync(reusing, history, Greedy(8));
        var turn2Fresh = await StreamedResponse.CollectAsync(fresh, history, Greedy(8));

        Assert.Equal(0, turn2.Details.ReusedPromptTokens);
        Assert.Equal(turn2Fresh.TokenIds, turn2.TokenIds);
    }

    [Fact]
    public async Task SecondTurn_ConversationIdWithOnlyNewMessages_SameAsFullHistory()
    {
        using var client = package.CreateClient(cacheSize: 4);
        using var fresh = package.CreateClient(cacheSize: 0);
        var history = new List<ChatMessage> { new(ChatRole.User, "Hi!") };

        var turn1 = await StreamedResponse.CollectAsync(client, history, Greedy(10));
        var options = Greedy(10);
        options.ConversationId = turn1.Final.ConversationId;
        var turn2 = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Go on.")], options);
        await StreamedResponse.CollectAsync(fresh, history, Greedy(10));
        history.Add(new ChatMessage(ChatRole.Assistant, turn1.Text));
        history.Add(new ChatMessage(ChatRole.User, "Go on."));
        var turn2Fresh = await StreamedResponse.CollectAsync(fresh, history, Greedy(10));

        Assert.Equal(turn1.Final.ConversationId, turn2.Final.ConversationId);
        Assert.True(turn2.Details.ReusedPromptTokens > 0);
        Assert.Equal(turn2Fresh.Details.PromptTokenIds, turn2.Details.PromptTokenIds);
        Assert.Equal(turn2Fresh.TokenIds, turn2.TokenIds);
    }

    [Fact]
    public async Task GetResponseAsync_EightConcurrentRequests_EqualSequentialResults()
    {
        using var client = package.CreateClient();
        var prompts = Enumerable.Range(0, 8).Select(i => $"Question number {i}: what comes after {i * 7}?").ToArray();
        var sequential = new List<int[]>();
        foreach (string p in prompts)
        {
            sequential.Add((await StreamedResponse.CollectAsync(client, [new(ChatRole.User, p)], Greedy(10))).TokenIds);
        }

        using var concurrentClient = package.CreateClient();
        var concurrent = await Task.WhenAll(prompts.Select(p => Task.Run(() => StreamedResponse.CollectAsync(concurrentClient, [new(ChatRole.User, p)], Greedy(10)))));

        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(sequential[i], concurrent[i].TokenIds);
        }
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledWhenPrefillStarts_ThrowsKeepsCompletedChunksAndClientStillWorks()
    {
        using var cts = new CancellationTokenSource();
        using var logs = new CallbackLoggerFactory((_, message) =>
        {
            // Logged on the engine thread right before the prefill of the long prompt starts.
            if (message.Contains("to prefill", StringComparison.Ordinal) && message.Contains("route long", StringComparison.Ordinal))
            {
                cts.Cancel();
            }
        });
        using var client = package.CreateClient(loggerFactory: logs);
        string longText = string.Join(' ', Enumerable.Range(0, 1500).Select(i => $"word{i % 97}"));
        ChatMessage[] small = [new(ChatRole.User, "Short question.")];
        var before = await StreamedResponse.CollectAsync(client, small, Greedy(8));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StreamedResponse.CollectAsync(client, [new(ChatRole.User, longText)], Greedy(8), cts.Token));
        var after = await StreamedResponse.CollectAsync(client, small, Greedy(8));

        Assert.Equal(before.TokenIds, after.TokenIds);
        Assert.Contains(logs.Entries, e => e.Message.Contains("was cancelled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledAfterThirdChunk_StopsWithinOneChunkAndTheKeptPrefixIsReusedCorrectly()
    {
        using var client = package.CreateClient();
        using var fresh = package.CreateClient(cacheSize: 0);
        using var cts = new CancellationTokenSource();
        var reports = new List<PrefillProgress>();
        var options = Greedy(6);
        options.AdditionalProperties = new()
        {
            [EdgeInfiniteMetadataKeys.PrefillProgress] = new SyncProgress<PrefillProgress>(p =>
            {
                reports.Add(p);
                if (reports.Count == 3)
                {
                    cts.Cancel();
                }
            }),
        };
        ChatMessage[] messages = [new(ChatRole.User, string.Join(' ', Enumerable.Range(0, 300).Select(i => $"w{i % 41}")))];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StreamedResponse.CollectAsync(client, messages, options, cts.Token));
        int chunksBeforeStop = reports.Count;
        var again = await StreamedResponse.CollectAsync(client, messages, Greedy(6));
        var expected = await StreamedResponse.CollectAsync(fresh, messages, Greedy(6));

        // Chunks end on the stream grid S + k·L (S = 4, L = 16): 20, 36, 52 tokens after three chunks.
        Assert.Equal(3, chunksBeforeStop);
        Assert.Equal(4 + (3 * 16), again.Details.ReusedPromptTokens);
        Assert.Equal(expected.TokenIds, again.TokenIds);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledWhileDecoding_ThrowsAndNextRequestMatchesFreshClient()
    {
        using var client = package.CreateClient();
        using var fresh = package.CreateClient(cacheSize: 0);
        using var cts = new CancellationTokenSource();
        ChatMessage[] messages = [new(ChatRole.User, "Write a long poem.")];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.GetStreamingResponseAsync(messages, Greedy(200), cts.Token))
            {
                await cts.CancelAsync();
            }
        });
        var after = await StreamedResponse.CollectAsync(client, messages, Greedy(12));
        var expected = await StreamedResponse.CollectAsync(fresh, messages, Greedy(12));

        Assert.Equal(expected.TokenIds, after.TokenIds);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConsumerStopsEarly_EngineStopsAndStateIsKept()
    {
        using var client = package.CreateClient();

        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "Go.")], Greedy(500)))
        {
            break;
        }

        Assert.Equal(1, client.KeptStates);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_LongRouteWithMemory_ReportsTokensInMemory()
    {
        using var client = package.CreateClient();
        string text = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"item{i % 31}"));
        var options = Greedy(4);
        options.AdditionalProperties = new() { [EdgeInfiniteMetadataKeys.Route] = "long" };

        var withMemory = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, text)], options);
        options.AdditionalProperties[EdgeInfiniteMetadataKeys.Memory] = "off";
        var withoutMemory = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, text)], options);

        Assert.Equal("long", withMemory.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.True(withMemory.Metadata(EdgeInfiniteMetadataKeys.TokensInMemory) > 0);
        Assert.True(withMemory.Metadata(EdgeInfiniteMetadataKeys.CachedTokens) <= 4 + 64 + 16);
        Assert.Equal(0, withoutMemory.Metadata(EdgeInfiniteMetadataKeys.TokensInMemory));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConversationGrowsPastThreshold_ConvertsToLongRouteAndReusesTheState()
    {
        using var client = package.CreateClient();
        string first = string.Join(' ', Enumerable.Range(0, 120).Select(i => $"a{i % 37}"));
        var turn1 = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, first)], Greedy(4));
        Assert.Equal("short", turn1.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        List<ChatMessage> history = [new(ChatRole.User, first), new(ChatRole.Assistant, turn1.Text), new(ChatRole.User, string.Join(' ', Enumerable.Range(0, 250).Select(i => $"b{i % 29}")))];

        var turn2 = await StreamedResponse.CollectAsync(client, history, Greedy(4));

        // The package's threshold is 512 tokens: turn 2 crosses it and the kept short state converts in place.
        Assert.True(turn2.Details.PromptTokenIds.Count + 4 > 512);
        Assert.Equal("long", turn2.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
        Assert.True(turn2.Details.ReusedPromptTokens > 0);
        Assert.True(turn2.Metadata(EdgeInfiniteMetadataKeys.TokensInMemory) > 0);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_PrefillProgressOption_ReportsEachChunkUpToThePromptSize()
    {
        using var client = package.CreateClient();
        var reports = new List<PrefillProgress>();
        var options = Greedy(2);
        options.AdditionalProperties = new() { [EdgeInfiniteMetadataKeys.PrefillProgress] = new SyncProgress<PrefillProgress>(reports.Add) };
        string text = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"p{i}"));

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, text)], options);

        // Chunks end on the stream grid S + k·L (S = 4, L = 16); the first one also holds the sink.
        int prompt = r.Details.PromptTokenIds.Count;
        Assert.Equal((prompt - 4 + 15) / 16, reports.Count);
        Assert.Equal(new PrefillProgress(prompt, prompt), reports[^1]);
        Assert.All(reports.Take(reports.Count - 1), p => Assert.Equal(4, p.Processed % 16));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AutoRouteOverThreshold_RunsLong()
    {
        using var client = package.CreateClient();
        string text = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"x{i % 50}"));

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, text)], Greedy(4));

        Assert.True(r.Details.PromptTokenIds.Count + 4 > 512);
        Assert.Equal("long", r.Final.AdditionalProperties![EdgeInfiniteMetadataKeys.Route]);
    }

    [Theory]
    [InlineData(nameof(ChatOptions.MaxOutputTokens))]
    [InlineData(nameof(ChatOptions.TopP))]
    [InlineData(nameof(ChatOptions.Temperature))]
    [InlineData("edgeinfinite.route")]
    [InlineData("edgeinfinite.memory")]
    [InlineData("edgeinfinite.repetition_penalty")]
    public async Task GetResponseAsync_InvalidOption_ThrowsArgumentExceptionNamingIt(string option)
    {
        using var client = package.CreateClient();
        var options = option switch
        {
            nameof(ChatOptions.MaxOutputTokens) => new ChatOptions { MaxOutputTokens = -1 },
            nameof(ChatOptions.TopP) => new ChatOptions { TopP = 0 },
            nameof(ChatOptions.Temperature) => new ChatOptions { Temperature = -0.5f },
            _ => new ChatOptions { AdditionalProperties = new() { [option] = "medium" } },
        };

        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetResponseAsync([new(ChatRole.User, "hi")], options));

        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetService_Metadata_ReportsProviderAndModelIdWithoutProviderUri()
    {
        using IChatClient client = package.CreateClient();

        var metadata = client.GetService<ChatClientMetadata>()!;

        Assert.Equal("edgeinfinite", metadata.ProviderName);
        Assert.Equal("tiny-chat", metadata.DefaultModelId);
        // In process: no URI, so M.E.AI's telemetry does not tag an empty server.address.
        Assert.Null(metadata.ProviderUri);
        Assert.Same(package.Model, client.GetService<EdgeInfiniteModel>());
        Assert.Same(client, client.GetService<EdgeInfiniteChatClient>());
        Assert.Null(client.GetService<ChatClientMetadata>("key"));
    }

    [Fact]
    public void Constructor_MissingPackagePath_ThrowsNamingThePath()
    {
        string missing = Path.Combine(Path.GetTempPath(), "edgeinfinite-missing-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<DirectoryNotFoundException>(() => new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = missing }));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoPackagePath_LoadsTheEmbeddedModelOrNamesBothPlacesLooked()
    {
        string besideApp = Path.Combine(AppContext.BaseDirectory, "models", "edgeinfinite-tiny");
        string current = Path.GetFullPath(Path.Combine("models", "edgeinfinite-tiny"));
        if (Directory.Exists(besideApp) || Directory.Exists(current))
        {
            // The trained default model is present (copied next to the app by the connector's build).
            using var client = new EdgeInfiniteChatClient();
            Assert.False(string.IsNullOrEmpty(client.ModelId));
            return;
        }

        var ex = Assert.Throws<DirectoryNotFoundException>(() => new EdgeInfiniteChatClient());

        Assert.Contains(besideApp, ex.Message, StringComparison.Ordinal);
        Assert.Contains(current, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_FromPackagePath_LoadsAndAnswers()
    {
        using var client = new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = package.PackagePath, IntraOpThreads = 1 });

        var r = await client.GetResponseAsync([new(ChatRole.User, "hello")], Greedy(4));

        Assert.NotEmpty(r.Text);
    }

    [Fact]
    public async Task Dispose_ThenRequest_ThrowsObjectDisposed()
    {
        var client = package.CreateClient();
        client.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetResponseAsync([new(ChatRole.User, "hi")]));
        Assert.False(package.Model.Package.Directory.Length == 0);
    }
}
