using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.TextGeneration;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Semantic Kernel over the real client: prompts, streaming, multi-turn chat history, settings and function calling.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class SemanticKernelTests(TinyChatPackage package)
{
    private static EdgeInfinitePromptExecutionSettings Greedy(int maxTokens = 8) => new() { MaxTokens = maxTokens, Temperature = 0 };

    [Fact]
    public async Task InvokePromptStreamingAsync_Greedy_StreamsTheSameTextAsInvokePromptAsync()
    {
        var kernel = Kernel.CreateBuilder().AddEdgeInfiniteChatCompletion(package.PackagePath).Build();
        var chunks = new List<string>();

        await foreach (var chunk in kernel.InvokePromptStreamingAsync<string>("Tell me about rivers.", new(Greedy(10))))
        {
            chunks.Add(chunk);
        }

        var whole = await kernel.InvokePromptAsync<string>("Tell me about rivers.", new(Greedy(10)));
        Assert.True(chunks.Count > 1);
        Assert.Equal(whole, string.Concat(chunks));
    }

    [Fact]
    public async Task GetChatMessageContentAsync_SecondTurn_ReusesStateAndMetadataIsVisible()
    {
        using var client = package.CreateClient();
        var service = new EdgeInfiniteChatCompletionService(client);
        var history = new ChatHistory("You are a helpful assistant.");
        history.AddUserMessage("What is memory?");

        var first = await service.GetChatMessageContentAsync(history, Greedy(10));
        history.Add(first);
        history.AddUserMessage("Say more.");
        var second = await service.GetChatMessageContentAsync(history, Greedy(10));

        Assert.Equal(AuthorRole.Assistant, second.Role);
        Assert.Equal("short", second.Metadata![EdgeInfiniteMetadataKeys.Route]);
        Assert.Equal(0, Convert.ToInt32(first.Metadata![EdgeInfiniteMetadataKeys.PromptTokensReused], System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(Convert.ToInt32(second.Metadata[EdgeInfiniteMetadataKeys.PromptTokensReused], System.Globalization.CultureInfo.InvariantCulture) > 0);
        foreach (string key in new[] { EdgeInfiniteMetadataKeys.PromptTokensPrefilled, EdgeInfiniteMetadataKeys.TokensInMemory, EdgeInfiniteMetadataKeys.StateBytes, EdgeInfiniteMetadataKeys.TimeToFirstTokenMs })
        {
            Assert.True(second.Metadata.ContainsKey(key), key);
        }
    }

    [Fact]
    public async Task GetStreamingChatMessageContentsAsync_RouteLongSetting_ReachesTheEngine()
    {
        using var client = package.CreateClient();
        var service = new EdgeInfiniteChatCompletionService(client);
        var history = new ChatHistory();
        history.AddUserMessage(string.Join(' ', Enumerable.Range(0, 120).Select(i => $"t{i}")));
        var settings = Greedy(4);
        settings.Route = "long";
        settings.Memory = true;
        var metadata = new List<IReadOnlyDictionary<string, object?>>();

        await foreach (var update in service.GetStreamingChatMessageContentsAsync(history, settings))
        {
            if (update.Metadata is { } m)
            {
                metadata.Add(m);
            }
        }

        var final = Assert.Single(metadata, m => m.ContainsKey(EdgeInfiniteMetadataKeys.Route));
        Assert.Equal("long", final[EdgeInfiniteMetadataKeys.Route]);
        Assert.True(Convert.ToInt64(final[EdgeInfiniteMetadataKeys.TokensInMemory], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Theory]
    [InlineData("max_tokens")]
    [InlineData("top_p")]
    [InlineData("route")]
    public async Task GetChatMessageContentsAsync_BadSetting_ThrowsArgumentExceptionNamingIt(string name)
    {
        using var client = package.CreateClient();
        var service = new EdgeInfiniteChatCompletionService(client);
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { [name] = name == "route" ? "sideways" : (name == "top_p" ? 0 : -1) } };

        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(() => service.GetChatMessageContentsAsync(new ChatHistory("x"), settings));

        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTextContentsAsync_Prompt_ReturnsText()
    {
        using var client = package.CreateClient();
        ITextGenerationService service = new EdgeInfiniteChatCompletionService(client);

        var texts = await service.GetTextContentsAsync("Once upon a time", Greedy(6));

        Assert.False(string.IsNullOrEmpty(Assert.Single(texts).Text));
    }

    [Fact]
    public async Task InvokePromptAsync_FunctionChoiceAuto_PluginFunctionsReachThePrompt()
    {
        using var logs = new CallbackLoggerFactory();
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton<ILoggerFactory>(logs);
        builder.AddEdgeInfiniteChatCompletion(package.PackagePath);
        builder.Plugins.AddFromType<WeatherPlugin>();
        var kernel = builder.Build();
        var settings = Greedy(6);
        settings.FunctionChoiceBehavior = FunctionChoiceBehavior.Auto();

        var result = await kernel.InvokePromptAsync<string>("What's the weather in Oslo?", new(settings));

        Assert.NotNull(result);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("WeatherPlugin_get_weather", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvokePromptAsync_FunctionChoiceAutoWithScriptedToolCall_InvokesThePluginAndAnswers()
    {
        using var client = package.CreateClient();
        var scripted = new ScriptedToolCallChatClient(client, "<tool_call>\n{\"name\": \"WeatherPlugin_get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>");
        var builder = Kernel.CreateBuilder();
        builder.Services.AddSingleton(scripted.AsBuilder().UseKernelFunctionInvocation().Build().AsChatCompletionService());
        var plugin = new WeatherPlugin();
        builder.Plugins.AddFromObject(plugin);
        var kernel = builder.Build();
        var settings = Greedy(6);
        settings.FunctionChoiceBehavior = FunctionChoiceBehavior.Auto();

        var result = await kernel.InvokePromptAsync<string>("What's the weather in Oslo?", new(settings));

        Assert.Equal(["Oslo"], plugin.Cities);
        Assert.Equal(2, scripted.Calls);
        Assert.NotNull(result);
    }
}
