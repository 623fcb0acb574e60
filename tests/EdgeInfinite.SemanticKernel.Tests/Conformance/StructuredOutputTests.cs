using System.Text.Json;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Xunit.Abstractions;

namespace EdgeInfinite.SemanticKernel.Tests.Conformance;

/// <summary>
/// Structured output on the embedded default model: <c>GetResponseAsync&lt;T&gt;</c> (M.E.AI sends the type's schema,
/// wrapped in <c>{"data": ...}</c> for non-object types) must parse in every sampled run; the values are the tiny
/// model's and may be wrong, the shape may not.
/// </summary>
public sealed class StructuredOutputTests(DefaultModelClient model, ITestOutputHelper output) : IClassFixture<DefaultModelClient>
{
    public enum Weather
    {
        Sunny,
        Rainy,
        Windy,
    }

    private const int Runs = 10;

    private static ChatOptions Sampled(int seed) => new() { Temperature = 1f, Seed = seed, MaxOutputTokens = 160 };

    [Fact]
    public Task GetResponseAsyncOfString_TenSampledRuns_AllParse() => AllParse<string>("Name a city.");

    [Fact]
    public Task GetResponseAsyncOfInt_TenSampledRuns_AllParse() => AllParse<int>("How many days are in a week?");

    [Fact]
    public Task GetResponseAsyncOfBool_TenSampledRuns_AllParse() => AllParse<bool>("Is Paris in France?");

    [Fact]
    public Task GetResponseAsyncOfEnum_TenSampledRuns_AllParse() => AllParse<Weather>("What is the weather like in Oslo?");

    [Fact]
    public Task GetResponseAsyncOfArray_TenSampledRuns_AllParse() => AllParse<string[]>("List three colours.");

    [Fact]
    public Task GetResponseAsyncOfNestedObject_TenSampledRuns_AllParse() => AllParse<Trip>("Plan a trip to Rome.");

    [Fact]
    public async Task GetResponseAsync_JsonFormatWithoutSchema_ReturnsOneJsonValue()
    {
        for (int seed = 0; seed < Runs; seed++)
        {
            var options = Sampled(seed);
            options.ResponseFormat = ChatResponseFormat.Json;

            var response = await model.Client.GetResponseAsync("Describe a cat as JSON.", options);

            output.WriteLine(response.Text);
            using var doc = JsonDocument.Parse(response.Text);
        }
    }

    [Fact]
    public async Task GetResponseAsync_SchemaFormat_PromptDescribesTheSchema()
    {
        var options = Sampled(1);
        options.ResponseFormat = ChatResponseFormat.ForJsonSchema<Trip>();

        var response = await model.Client.GetResponseAsync("Plan a trip.", options);

        var details = Assert.IsType<EdgeInfiniteResponseDetails>(response.RawRepresentation);
        string prompt = model.Client.Model.Tokenizer.Decode([.. details.PromptTokenIds]);
        Assert.Contains("Respond with one JSON value and nothing else.", prompt, StringComparison.Ordinal);
        Assert.Contains("\"destination\"", prompt, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task GetResponseAsync_SchemaOutsideSubset_ThrowsNotSupportedNamingTheKeyword()
    {
        var schema = JsonDocument.Parse("""{"type":"string","pattern":"^[a-z]+$"}""").RootElement;
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema) };

        var ex = await Assert.ThrowsAsync<NotSupportedException>(() => model.Client.GetResponseAsync("hi", options));

        Assert.Contains("'pattern'", ex.Message, StringComparison.Ordinal);
    }

    private async Task AllParse<T>(string prompt)
    {
        int parsed = 0;
        for (int seed = 0; seed < Runs; seed++)
        {
            var response = await model.Client.GetResponseAsync<T>(prompt, Sampled(seed));
            bool ok = response.TryGetResult(out var result);
            output.WriteLine($"seed {seed}: {(ok ? "parsed" : "FAILED")} {response.Text} -> {JsonSerializer.Serialize(result)}");
            parsed += ok ? 1 : 0;
        }

        Assert.Equal(Runs, parsed);
    }

    public sealed record Trip(string Destination, int Days, bool ByTrain, Weather Expected, string[] Sights, Hotel Hotel);

    public sealed record Hotel(string Name, int Stars);
}
