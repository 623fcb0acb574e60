using System.ComponentModel;
using System.Text.Json;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Xunit.Abstractions;
using ChatMessageContent = Microsoft.SemanticKernel.ChatMessageContent;
using FunctionCallContent = Microsoft.Extensions.AI.FunctionCallContent;

namespace EdgeInfinite.SemanticKernel.Tests.Conformance;

/// <summary>
/// Tool modes on the embedded default model, sampled: a required call is always a call to an offered (or the named)
/// function with arguments valid for its schema; in auto mode a call is never malformed, never to an unoffered name,
/// and no raw call text is left in the response.
/// </summary>
public sealed class ToolModeTests(DefaultModelClient model, ITestOutputHelper output) : IClassFixture<DefaultModelClient>
{
    private static readonly AIFunction s_weather = AIFunctionFactory.Create(
        ([Description("The city.")] string city, [Description("Days ahead, 0 for today.")] int days = 0) => $"sunny in {city}", "get_weather", "Gets the weather of a city.");

    private static readonly AIFunction s_time = AIFunctionFactory.Create(
        ([Description("The time zone.")] string zone) => "12:00", "get_time", "Gets the current time in a time zone.");

    private static readonly string[] s_prompts =
    [
        "What is the weather like in Paris?", "What time is it in Tokyo?", "Hi!", "Tell me a story.", "Weather in Oslo tomorrow?",
        "What is 2 + 2?", "What is the time in London?", "Good morning!", "Is it raining in Lima?", "Name a fruit.",
    ];

    private static ChatOptions Sampled(int seed, ChatToolMode mode, int maxTokens = 48) =>
        new() { Tools = [s_weather, s_time], ToolMode = mode, Temperature = 1f, Seed = seed, MaxOutputTokens = maxTokens };

    [Fact]
    public async Task GetResponseAsync_RequireSpecific_TwentyOfTwentyCallThatFunctionWithValidArguments()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var response = await model.Client.GetResponseAsync(s_prompts[seed % s_prompts.Length], Sampled(seed, ChatToolMode.RequireSpecific("get_time")));

            var calls = Calls(response);
            output.WriteLine($"seed {seed}: {string.Join("; ", calls.Select(Describe))} | text '{response.Text}'");
            Assert.NotEmpty(calls);
            Assert.All(calls, c => Assert.Equal("get_time", c.Name));
            Assert.All(calls, AssertValidArguments);
            Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
            Assert.DoesNotContain("<tool_call>", response.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task GetResponseAsync_RequireAny_TwentyOfTwentyCallAnOfferedFunctionWithValidArguments()
    {
        for (int seed = 0; seed < 20; seed++)
        {
            var response = await model.Client.GetResponseAsync(s_prompts[seed % s_prompts.Length], Sampled(seed, ChatToolMode.RequireAny));

            var calls = Calls(response);
            output.WriteLine($"seed {seed}: {string.Join("; ", calls.Select(Describe))} | text '{response.Text}'");
            Assert.NotEmpty(calls);
            Assert.All(calls, AssertValidArguments);
            Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
            Assert.Equal(string.Empty, response.Text);
        }
    }

    [Fact]
    public async Task GetResponseAsync_Auto_FiftySampledRequestsNoUnofferedNameNoMalformedCallNoRawCallText()
    {
        int withCalls = 0;
        for (int seed = 0; seed < 50; seed++)
        {
            var response = await model.Client.GetResponseAsync(s_prompts[seed % s_prompts.Length], Sampled(seed, ChatToolMode.Auto));

            var calls = Calls(response);
            withCalls += calls.Count > 0 ? 1 : 0;
            output.WriteLine($"seed {seed}: {string.Join("; ", calls.Select(Describe))} | text '{response.Text}'");
            Assert.All(calls, AssertValidArguments);
            Assert.DoesNotContain("<tool_call>", response.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("</tool_call>", response.Text, StringComparison.Ordinal);
        }

        output.WriteLine($"{withCalls} of 50 responses called a function");
        Assert.True(withCalls > 0, "the model never called a function in auto mode");
    }

    [Fact]
    public async Task GetResponseAsync_RequireSpecificNotOffered_ThrowsArgumentExceptionNamingIt()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => model.Client.GetResponseAsync("hi", Sampled(0, ChatToolMode.RequireSpecific("get_date"))));

        Assert.Contains("'get_date'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_RequireAny_PromptSaysACallIsRequired()
    {
        var response = await model.Client.GetResponseAsync("Hi!", Sampled(0, ChatToolMode.RequireAny));

        var details = Assert.IsType<EdgeInfiniteResponseDetails>(response.RawRepresentation);
        Assert.Contains("You must call at least one of the functions.", model.Client.Model.Tokenizer.Decode([.. details.PromptTokenIds]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionChoiceBehaviorRequired_SemanticKernel_FiveOfFiveResponsesAreCalls()
    {
        var kernel = Kernel.CreateBuilder().Build();
        kernel.Plugins.AddFromObject(new WeatherPlugin(), "Weather");
        var service = new EdgeInfiniteChatCompletionService(model.Client);
        for (int seed = 0; seed < 5; seed++)
        {
            var settings = new EdgeInfinitePromptExecutionSettings { MaxTokens = 48, Temperature = 1f, Seed = seed, FunctionChoiceBehavior = FunctionChoiceBehavior.Required(autoInvoke: false) };

            ChatMessageContent reply = await service.GetChatMessageContentAsync(new ChatHistory("Hello there."), settings, kernel);

            var call = Assert.Single(reply.Items.OfType<Microsoft.SemanticKernel.FunctionCallContent>());
            Assert.EndsWith("get_weather", call.FunctionName, StringComparison.Ordinal);
            Assert.IsType<string>(call.Arguments!["city"]?.ToString());
        }
    }

    private static List<FunctionCallContent> Calls(ChatResponse response) => [.. response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()];

    private static string Describe(FunctionCallContent call) => $"{call.Name}({JsonSerializer.Serialize(call.Arguments)})";

    private static void AssertValidArguments(FunctionCallContent call)
    {
        // The functions' schemas: get_weather {city: string (required), days: integer}; get_time {zone: string (required)}.
        Assert.Contains(call.Name, new[] { "get_weather", "get_time" });
        var args = call.Arguments!;
        string required = call.Name == "get_weather" ? "city" : "zone";
        Assert.Equal(JsonValueKind.String, Assert.IsType<JsonElement>(args[required]).ValueKind);
        foreach (var (key, value) in args)
        {
            var kind = Assert.IsType<JsonElement>(value).ValueKind;
            Assert.True(
                (key == required && kind == JsonValueKind.String) || (key == "days" && call.Name == "get_weather" && kind == JsonValueKind.Number),
                $"{call.Name}: unexpected argument {key} ({kind})");
        }
    }
}
