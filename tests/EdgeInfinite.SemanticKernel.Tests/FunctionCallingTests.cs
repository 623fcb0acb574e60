using System.Text.Json;
using EdgeInfinite.Onnx.Tokenization;
using EdgeInfinite.SemanticKernel.Tests.Support;
using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Tool definitions and calls in the chat template, and M.E.AI's FunctionInvokingChatClient over the real client.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class FunctionCallingTests(TinyChatPackage package)
{
    private static readonly AIFunction s_weather = AIFunctionFactory.Create((string city) => $"sunny in {city}", "get_weather", "Gets the current weather of a city.");

    [Fact]
    public void Render_TemplateWithoutTools_DescribesToolsInSystemAndSendsResultsAsToolResponse()
    {
        var builder = new PromptBuilder(package.Model.Tokenizer);
        ChatMessage[] messages =
        [
            new(ChatRole.User, "Weather in Oslo?"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "get_weather", new Dictionary<string, object?> { ["city"] = "Oslo" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny")]),
        ];

        var prompt = builder.Render(messages, "Be brief.", [s_weather]);

        Assert.False(builder.TemplateRendersTools);
        Assert.StartsWith("<|im_start|>system\nBe brief.\n\n# Tools\n", prompt.Text, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"get_weather\"", prompt.Text, StringComparison.Ordinal);
        Assert.Contains("Gets the current weather of a city.", prompt.Text, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>assistant\n<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call><|im_end|>\n", prompt.Text, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>user\n<tool_response>\nsunny\n</tool_response><|im_end|>\n", prompt.Text, StringComparison.Ordinal);
        Assert.EndsWith("<|im_start|>assistant\n", prompt.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_TemplateWithTools_PassesToolsToTemplateAndUsesToolRole()
    {
        string dir = Path.Combine(Path.GetTempPath(), "edgeinfinite-tooltemplate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.Copy(Path.Combine(package.PackagePath, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
            File.Copy(Path.Combine(package.PackagePath, "genai_config.json"), Path.Combine(dir, "genai_config.json"));
            var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(package.PackagePath, "tokenizer_config.json")))!.AsObject();
            config["chat_template"] = "{% if tools %}<|im_start|>system\nTOOLS:{% for tool in tools %} {{ tool | tojson }}{% endfor %}<|im_end|>\n{% endif %}" +
                "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}" +
                "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config.ToJsonString());
            using var tokenizer = new EdgeInfiniteTokenizer(dir);
            var builder = new PromptBuilder(tokenizer);

            var prompt = builder.Render([new(ChatRole.User, "hi"), new(ChatRole.Tool, [new FunctionResultContent("c1", 42)])], null, [s_weather]);

            Assert.True(builder.TemplateRendersTools);
            Assert.StartsWith("<|im_start|>system\nTOOLS: {", prompt.Text, StringComparison.Ordinal);
            Assert.Contains("get_weather", prompt.Text, StringComparison.Ordinal);
            Assert.Contains("<|im_start|>tool\n42<|im_end|>", prompt.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("# Tools", prompt.Text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RenderCall_ThenParse_RoundTripsNameAndArguments()
    {
        var call = new FunctionCallContent("c1", "search", new Dictionary<string, object?> { ["query"] = "edge \"memory\"", ["limit"] = 3 });

        string text = ToolCallFormat.RenderCall(call);
        var parser = new ToolCallParser();
        var parsed = Assert.Single(parser.Push(text)).Call!;

        Assert.Equal("search", parsed.Name);
        Assert.Equal("edge \"memory\"", ((JsonElement)parsed.Arguments["query"]!).GetString());
        Assert.Equal(3, ((JsonElement)parsed.Arguments["limit"]!).GetInt32());
    }

    [Fact]
    public void RenderAssistantContent_KnownCallId_UsesTheTextTheModelGenerated()
    {
        const string generated = "<tool_call>\n{\"name\": \"get_weather\",  \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>";
        var parser = new ToolCallParser();
        var parsed = Assert.Single(parser.Push("Checking. " + generated), s => s.Call is not null).Call!;
        var builder = new PromptBuilder(package.Model.Tokenizer, id => id == "known" ? parsed.RawText : null);
        var known = new ChatMessage(ChatRole.Assistant, [new TextContent("Checking. "), new FunctionCallContent("known", parsed.Name, parsed.Arguments)]);
        var unknown = new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("other", parsed.Name, parsed.Arguments)]);

        Assert.Equal(generated, parsed.RawText);
        Assert.Equal("Checking. " + generated, builder.RenderAssistantContent(known));
        Assert.Equal("<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>", builder.RenderAssistantContent(unknown));
    }

    [Fact]
    public async Task FunctionInvokingChatClient_ScriptedToolCall_InvokesFunctionAndSendsResultToTheModel()
    {
        using var logs = new CallbackLoggerFactory();
        using var client = package.CreateClient(loggerFactory: logs);
        var scripted = new ScriptedToolCallChatClient(client, "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>");
        using var pipeline = scripted.AsBuilder().UseFunctionInvocation().Build();
        string? invokedWith = null;
        var tool = AIFunctionFactory.Create(
            (string city) => Interlocked.Exchange(ref invokedWith, city) is null ? "sunny, 21 C" : "called twice",
            "get_weather",
            "Gets the weather.");

        var response = await pipeline.GetResponseAsync([new(ChatRole.User, "Weather in Oslo?")], new ChatOptions { Tools = [tool], Temperature = 0, MaxOutputTokens = 6 });

        Assert.Equal("Oslo", invokedWith);
        Assert.Equal(2, scripted.Calls);
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionCallContent>().Any(c => c.Name == "get_weather"));
        Assert.Contains(response.Messages, m => m.Contents.OfType<FunctionResultContent>().Any());
        Assert.Equal(ChatRole.Assistant, response.Messages[^1].Role);
        var prompts = logs.Entries.Where(e => e.Level == LogLevel.Trace && e.Message.Contains(" prompt: ", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.Equal(2, prompts.Count);
        Assert.Contains("# Tools", prompts[0], StringComparison.Ordinal);
        Assert.Contains("<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>", prompts[1], StringComparison.Ordinal);
        Assert.Contains("<tool_response>\nsunny, 21 C\n</tool_response>", prompts[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ConversationIdWithToolResultOnly_RendersWholeConversationAndReusesState()
    {
        using var logs = new CallbackLoggerFactory();
        using var client = package.CreateClient(loggerFactory: logs);
        var options = new ChatOptions { Tools = [s_weather], Temperature = 0, MaxOutputTokens = 6 };

        var first = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Weather in Oslo?")], options);
        options.ConversationId = first.Final.ConversationId;
        var second = await StreamedResponse.CollectAsync(client, [new(ChatRole.Tool, [new FunctionResultContent("c1", "sunny, 21 C")])], options);

        string prompt = logs.Entries.Last(e => e.Level == LogLevel.Trace && e.Message.Contains(" prompt: ", StringComparison.Ordinal)).Message;
        Assert.Contains("<|im_start|>user\nWeather in Oslo?<|im_end|>", prompt, StringComparison.Ordinal);
        Assert.Contains($"<|im_start|>assistant\n{first.Text}<|im_end|>", prompt, StringComparison.Ordinal);
        Assert.Contains("<tool_response>\nsunny, 21 C\n</tool_response>", prompt, StringComparison.Ordinal);
        Assert.True(second.Details.ReusedPromptTokens > first.Details.PromptTokenIds.Count);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolsOffered_ToolsReachThePromptAndTextStillStreams()
    {
        using var logs = new CallbackLoggerFactory();
        using var client = package.CreateClient(loggerFactory: logs);

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Weather?")], new ChatOptions { Tools = [s_weather], Temperature = 0, MaxOutputTokens = 12 });

        Assert.Equal(r.Details.RawText, r.Text);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("get_weather", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_ToolModeNone_ToolsAreNotOffered()
    {
        using var logs = new CallbackLoggerFactory();
        using var client = package.CreateClient(loggerFactory: logs);

        await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Weather?")], new ChatOptions { Tools = [s_weather], ToolMode = ChatToolMode.None, Temperature = 0, MaxOutputTokens = 4 });

        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("get_weather", StringComparison.Ordinal));
    }
}
