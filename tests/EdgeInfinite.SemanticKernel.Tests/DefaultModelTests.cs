using System.Globalization;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Xunit.Abstractions;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>
/// End to end on the embedded default model (models/edgeinfinite-tiny, found beside the test assembly as an app finds
/// it): real kernels, the model's own greedy output, no scripted replies.
/// </summary>
public sealed class DefaultModelTests(ITestOutputHelper output)
{
    private static EdgeInfinitePromptExecutionSettings Greedy(int maxTokens) => new() { MaxTokens = maxTokens, Temperature = 0 };

    [Fact]
    public async Task InvokePromptAsync_DefaultModelWithWeatherPlugin_CallsThePluginAndAnswersAfterItsResult()
    {
        using var logs = new CallbackLoggerFactory((level, message) => output.WriteLine($"[{level}] {message}"));
        var builder = Kernel.CreateBuilder().AddEdgeInfiniteChatCompletion();
        builder.Services.AddSingleton<ILoggerFactory>(logs);
        var plugin = new WeatherPlugin();
        builder.Plugins.AddFromObject(plugin);
        var kernel = builder.Build();
        var settings = Greedy(48);
        settings.FunctionChoiceBehavior = FunctionChoiceBehavior.Auto();

        string? answer = await kernel.InvokePromptAsync<string>("What is the weather like in Paris?", new(settings));

        output.WriteLine($"calls: {string.Join(", ", plugin.Cities)}; answer: {answer}");
        // The round trip: the model's own <tool_call> parsed, the plugin run with its argument, the result rendered back,
        // and a final text answer. (The tiny model does not yet copy the result's values into that answer.)
        Assert.Equal(["Paris"], plugin.Cities);
        Assert.False(string.IsNullOrWhiteSpace(answer));
        Assert.DoesNotContain("<tool_call>", answer, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Message.Contains("<tool_response>\n{\"city\":\"Paris\",\"weather\":\"windy\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetChatMessageContentAsync_FactFromTurnOneAfter20kTokens_RecalledOnTheLongRoute()
    {
        var kernel = Kernel.CreateBuilder().AddEdgeInfiniteChatCompletion().Build();
        var service = kernel.GetRequiredService<IChatCompletionService>();
        const int Trials = 5;
        int recalled = 0;
        for (int trial = 0; trial < Trials; trial++)
        {
            // Unseen seeds: the corpus trains on seeds 1-4.
            var random = DeterministicRandom.ForItem(1000 + trial, 0);
            var slot = random.Pick(FactCatalog.Slots);
            string value = random.Pick(Lexicon.Values[slot.Category]);
            var history = new ChatHistory("You are a helpful assistant.");
            history.AddUserMessage(string.Format(CultureInfo.InvariantCulture, slot.Statements[0], value));
            history.AddAssistantMessage($"Got it, {string.Format(CultureInfo.InvariantCulture, slot.Acknowledgement, value)}.");
            int words = 0;
            while (words < 11_500)
            {
                var (user, assistant) = FillerGrammar.Exchange(random);
                history.AddUserMessage(user);
                history.AddAssistantMessage(assistant);
                words += (user + " " + assistant).Split(' ').Length;
            }

            history.AddUserMessage(random.Pick(slot.Questions));

            var reply = await service.GetChatMessageContentAsync(history, Greedy(8));

            int prompt = Convert.ToInt32(reply.Metadata![EdgeInfiniteMetadataKeys.PromptTokensPrefilled], CultureInfo.InvariantCulture);
            output.WriteLine($"trial {trial}: {slot.Key} = {value}, {prompt} prompt tokens, route {reply.Metadata[EdgeInfiniteMetadataKeys.Route]}, answer '{reply.Content}'");
            Assert.Equal("long", reply.Metadata[EdgeInfiniteMetadataKeys.Route]);
            Assert.True(prompt > 20_000, $"{prompt} prompt tokens");
            recalled += reply.Content?.Contains(value, StringComparison.OrdinalIgnoreCase) == true ? 1 : 0;
        }

        Assert.True(recalled >= Trials - 1, $"recalled {recalled} of {Trials}");
    }
}
