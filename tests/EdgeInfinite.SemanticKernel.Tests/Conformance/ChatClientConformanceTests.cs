using System.Diagnostics;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeInfinite.SemanticKernel.Tests.Conformance;

/// <summary>
/// What an <see cref="IChatClient"/> conformance suite checks, on the embedded default model and through
/// Microsoft.Extensions.AI's own pipeline: responses, streaming, usage, history, every function-invocation mode,
/// caching, logging, OpenTelemetry and a chat reducer. Structured output and the tool modes' sampled guarantees are in
/// <see cref="StructuredOutputTests"/> and <see cref="ToolModeTests"/>. Pipelines are not disposed: disposing one disposes
/// the shared client.
/// </summary>
public sealed class ChatClientConformanceTests(DefaultModelClient model) : IClassFixture<DefaultModelClient>
{
    private static readonly ChatOptions s_greedy = new() { Temperature = 0, MaxOutputTokens = 24 };

    private IChatClient Client => model.Client;

    [Fact]
    public async Task GetResponseAsync_Plain_OneAssistantMessageWithTextAndIds()
    {
        var response = await Client.GetResponseAsync("Hello there, how are you?", s_greedy);

        var message = Assert.Single(response.Messages);
        Assert.Equal(ChatRole.Assistant, message.Role);
        Assert.False(string.IsNullOrWhiteSpace(response.Text));
        Assert.False(string.IsNullOrEmpty(response.ResponseId));
        Assert.False(string.IsNullOrEmpty(response.ConversationId));
        Assert.Equal("edgeinfinite-tiny", response.ModelId);
        Assert.Contains(response.FinishReason, new ChatFinishReason?[] { ChatFinishReason.Stop, ChatFinishReason.Length });
    }

    [Fact]
    public async Task GetStreamingResponseAsync_Updates_AddUpToTheSameResponseAsNonStreaming()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client.GetStreamingResponseAsync("Hello there, how are you?", s_greedy))
        {
            updates.Add(update);
        }

        var streamed = updates.ToChatResponse();
        var whole = await Client.GetResponseAsync("Hello there, how are you?", s_greedy);
        Assert.True(updates.Count > 2);
        Assert.Equal(whole.Text, streamed.Text);
        Assert.Single(updates.Select(u => u.ResponseId).Distinct());
        Assert.NotNull(updates[^1].FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_Usage_CountsInputOutputAndTotal()
    {
        var response = await Client.GetResponseAsync("Count to three.", s_greedy);

        var usage = response.Usage!;
        Assert.True(usage.InputTokenCount > 5);
        Assert.InRange(usage.OutputTokenCount!.Value, 1, 24);
        Assert.Equal(usage.InputTokenCount + usage.OutputTokenCount, usage.TotalTokenCount);
    }

    [Fact]
    public async Task AddMessages_ThenNextTurn_HistoryIsKeptAndItsStateReused()
    {
        List<ChatMessage> history = [new(ChatRole.User, "My favourite fruit is the mango.")];
        var first = await Client.GetResponseAsync(history, s_greedy);
        history.AddMessages(first);
        history.Add(new(ChatRole.User, "Which fruit do I like?"));

        var second = await Client.GetResponseAsync(history, s_greedy);

        Assert.Equal(3, history.Count);
        Assert.Equal(ChatRole.Assistant, history[1].Role);
        Assert.True(((EdgeInfiniteResponseDetails)second.RawRepresentation!).ReusedPromptTokens > 0);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("require-any")]
    [InlineData("require-specific")]
    public async Task FunctionInvocation_Mode_TheModelsCallIsInvokedAndAnswered(string mode)
    {
        var cities = new List<string>();
        var weather = AIFunctionFactory.Create((string city) => { lock (cities) { cities.Add(city); } return $"windy in {city}"; }, "get_weather", "Gets the current weather of a city.");
        var time = AIFunctionFactory.Create(() => "12:00", "get_time", "Gets the current time.");
        var pipeline = Client.AsBuilder().UseFunctionInvocation().Build();
        var options = new ChatOptions
        {
            Tools = [weather, time],
            Temperature = 0,
            MaxOutputTokens = 48,
            ToolMode = mode switch { "auto" => ChatToolMode.Auto, "require-any" => ChatToolMode.RequireAny, _ => ChatToolMode.RequireSpecific("get_weather") },
        };

        var response = await pipeline.GetResponseAsync("What is the weather like in Paris?", options);

        Assert.NotEmpty(cities);
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionCallContent>().Any(c => c.Name == "get_weather"));
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionResultContent>().Any());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        Assert.DoesNotContain("<tool_call>", response.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionInvocation_ModeNone_NoCall()
    {
        bool called = false;
        var weather = AIFunctionFactory.Create((string city) => called = true, "get_weather", "Gets the current weather of a city.");
        var pipeline = Client.AsBuilder().UseFunctionInvocation().Build();

        var response = await pipeline.GetResponseAsync("What is the weather like in Paris?", new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.None, Temperature = 0, MaxOutputTokens = 24 });

        Assert.False(called);
        Assert.DoesNotContain(response.Messages, m => m.Contents.OfType<FunctionCallContent>().Any());
    }

    [Fact]
    public async Task FunctionInvocation_ParallelCallsInHistory_BothResultsReachTheModelAndItAnswers()
    {
        // A turn with two calls and their two results (as FunctionInvokingChatClient sends them after parallel calls).
        var weather = AIFunctionFactory.Create((string city) => $"windy in {city}", "get_weather", "Gets the current weather of a city.");
        ChatMessage[] history =
        [
            new(ChatRole.User, "Weather in Paris and Oslo?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Paris" }), new FunctionCallContent("c2", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "windy in Paris"), new FunctionResultContent("c2", "sunny in Oslo")]),
        ];

        var response = await Client.GetResponseAsync(history, new ChatOptions { Tools = [weather], Temperature = 0, MaxOutputTokens = 24 });

        string prompt = model.Client.Model.Tokenizer.Decode([.. ((EdgeInfiniteResponseDetails)response.RawRepresentation!).PromptTokenIds]);
        Assert.Contains("\"city\":\"Paris\"", prompt, StringComparison.Ordinal);
        Assert.Contains("\"city\":\"Oslo\"", prompt, StringComparison.Ordinal);
        Assert.Contains("windy in Paris", prompt, StringComparison.Ordinal);
        Assert.Contains("sunny in Oslo", prompt, StringComparison.Ordinal);
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
    }

    [Fact]
    public async Task DistributedCachingChatClient_SameRequestTwice_SecondComesFromTheCache()
    {
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var pipeline = Client.AsBuilder().UseDistributedCache(cache).Build();
        var options = new ChatOptions { Temperature = 1f, Seed = 5, MaxOutputTokens = 16 };

        var first = await pipeline.GetResponseAsync("Tell me a story.", options);
        var second = await pipeline.GetResponseAsync("Tell me a story.", options);
        var streamed = await pipeline.GetStreamingResponseAsync("Tell me a story.", options).ToChatResponseAsync();
        var streamedAgain = await pipeline.GetStreamingResponseAsync("Tell me a story.", options).ToChatResponseAsync();

        Assert.Equal(first.ResponseId, second.ResponseId);
        Assert.Equal(first.Text, second.Text);
        Assert.Equal(streamed.ResponseId, streamedAgain.ResponseId);
        Assert.Equal(streamed.Text, streamedAgain.Text);
    }

    [Fact]
    public async Task LoggingChatClient_Pipeline_LogsTheCallsAndAtTraceTheContents()
    {
        using var logs = new CallbackLoggerFactory();
        var pipeline = Client.AsBuilder().UseLogging(logs).Build();

        var response = await pipeline.GetResponseAsync("Hello!", s_greedy);

        Assert.Contains(logs.Entries, e => e.Message.Contains("GetResponseAsync", StringComparison.Ordinal) && e.Message.Contains("invoked", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains(response.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task OpenTelemetryChatClient_Pipeline_ActivityHasGenAiTagsAndNoEmptyServerAddress()
    {
        string source = "conformance-" + Guid.NewGuid().ToString("N");
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);
        var pipeline = Client.AsBuilder().UseOpenTelemetry(sourceName: source).Build();

        await pipeline.GetResponseAsync("Hello!", s_greedy);

        var activity = Assert.Single(activities);
        Assert.Equal("chat", activity.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("edgeinfinite", activity.GetTagItem("gen_ai.provider.name") ?? activity.GetTagItem("gen_ai.system"));
        Assert.Equal("edgeinfinite-tiny", activity.GetTagItem("gen_ai.request.model"));
        Assert.NotNull(activity.GetTagItem("gen_ai.usage.input_tokens"));
        Assert.Null(activity.GetTagItem("server.address"));
    }

    [Fact]
    public async Task ChatReducer_Pipeline_OnlyTheKeptMessagesReachThePrompt()
    {
        var pipeline = Client.AsBuilder().UseChatReducer(new MessageCountingChatReducer(2)).Build();
        List<ChatMessage> history =
        [
            new(ChatRole.User, "My favourite colour is turquoise."),
            new(ChatRole.Assistant, "Got it."),
            new(ChatRole.User, "I live in Lima."),
            new(ChatRole.Assistant, "Nice."),
            new(ChatRole.User, "Where do I live?"),
        ];

        var response = await pipeline.GetResponseAsync(history, s_greedy);

        string prompt = model.Client.Model.Tokenizer.Decode([.. ((EdgeInfiniteResponseDetails)response.RawRepresentation!).PromptTokenIds]);
        Assert.DoesNotContain("turquoise", prompt, StringComparison.Ordinal);
        Assert.Contains("Where do I live?", prompt, StringComparison.Ordinal);
    }
}
