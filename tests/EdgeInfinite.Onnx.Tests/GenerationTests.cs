using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Onnx.Tests;

public sealed class GenerationTests(ConvertedPackages packages) : IClassFixture<ConvertedPackages>
{
    private static int[] Ids(IEnumerable<GenerationUpdate> updates) =>
        updates.Where(u => u.TokenId is not null).Select(u => u.TokenId!.Value).ToArray();

    [Fact]
    public void Generate_SameSeed_SameTokens()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));
        var generator = new TextGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 16, Temperature = 1.5f, TopP = 0.95f, Seed = 7, StopTokenIds = [] };

        var first = Ids(generator.Generate(fixture.PromptIds, options));
        var second = Ids(generator.Generate(fixture.PromptIds, options));
        var other = Ids(generator.Generate(fixture.PromptIds, new GenerationOptions { MaxNewTokens = 16, Temperature = 1.5f, TopP = 0.95f, Seed = 8, StopTokenIds = [] }));

        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Generate_TopK1OrTemperatureZero_EqualsGreedy()
    {
        var fixture = HfFixture.Load("qwen2");
        using var model = EdgeInfiniteModel.Load(packages.Get("qwen2"));
        var generator = new TextGenerator(model);

        var topK = Ids(generator.Generate(fixture.PromptIds, new GenerationOptions { MaxNewTokens = 24, TopK = 1, Seed = 3, StopTokenIds = [] }));
        var cold = Ids(generator.Generate(fixture.PromptIds, new GenerationOptions { MaxNewTokens = 24, Temperature = 0, StopTokenIds = [] }));

        Assert.Equal(fixture.GreedyNewIds, topK);
        Assert.Equal(fixture.GreedyNewIds, cold);
    }

    [Fact]
    public void Load_ProfileOutputPrefix_WritesTraceOfEveryGraphRunOnDisposeAndSameTokens()
    {
        var fixture = HfFixture.Load("qwen2");
        string folder = Directory.CreateTempSubdirectory("edgeinfinite-profile-test-").FullName;
        int[] ids;
        using (var model = EdgeInfiniteModel.Load(packages.Get("qwen2"), new EdgeInfiniteModelOptions { ProfileOutputPrefix = Path.Combine(folder, "trace") }))
        {
            ids = Ids(new TextGenerator(model).Generate(fixture.PromptIds, new GenerationOptions { Greedy = true, MaxNewTokens = 6, StopTokenIds = [] }));
        }

        string trace = Assert.Single(Directory.GetFiles(folder, "trace*.json"));
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(trace));
        int runs = document.RootElement.EnumerateArray().Count(e => e.TryGetProperty("name", out var n) && n.GetString() == "model_run");

        // One prefill run and one run per decoded token after the first; profiling does not change the result.
        Assert.Equal(6, runs);
        Assert.Equal(fixture.GreedyNewIds.Take(6), ids);
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void Generate_RepetitionPenalty_ChangesGreedyOutput()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));

        var penalised = Ids(new TextGenerator(model).Generate(fixture.PromptIds, new GenerationOptions { Greedy = true, MaxNewTokens = 24, RepetitionPenalty = 3f, StopTokenIds = [] }));

        // The reference greedy continuation repeats "330,317,260,235"; a strong penalty must break that loop.
        Assert.NotEqual(fixture.GreedyNewIds, penalised);
        Assert.True(penalised.Distinct().Count() > fixture.GreedyNewIds.Distinct().Count());
    }

    [Fact]
    public void Generate_StopTokenProduced_EndsBeforeItWithStopToken()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));
        int stopId = fixture.GreedyNewIds[5];

        var updates = new TextGenerator(model).Generate(fixture.PromptIds, new GenerationOptions { Greedy = true, MaxNewTokens = 24, StopTokenIds = [stopId] }).ToList();

        Assert.Equal(fixture.GreedyNewIds.Take(5), Ids(updates));
        Assert.Equal(GenerationFinishReason.StopToken, updates[^1].FinishReason);
    }

    [Fact]
    public void Generate_MaxNewTokens_StopsWithLength()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));

        var updates = new TextGenerator(model).Generate(fixture.PromptIds, new GenerationOptions { Greedy = true, MaxNewTokens = 3, StopTokenIds = [] }).ToList();

        Assert.Equal(fixture.GreedyNewIds.Take(3), Ids(updates));
        Assert.Equal(GenerationFinishReason.Length, updates[^1].FinishReason);
    }

    [Fact]
    public void Append_CancelledDuringPrefill_StopsAtChunkBoundaryAndStateStaysUsable()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));
        int chunk = model.Config.LongRoute.SinkTokens + model.Config.LongRoute.SegmentTokens; // the first chunk also holds the sink
        using var cts = new CancellationTokenSource();
        using var state = model.CreateState(Route.Short, fixture.LongPromptIds.Length);
        var progress = new InlineProgress<PrefillProgress>(_ => cts.Cancel());

        Assert.ThrowsAny<OperationCanceledException>(() => state.Append(fixture.LongPromptIds, cts.Token, progress));

        Assert.Equal(chunk, state.TokenCount);
        var logits = state.AppendAllLogits(fixture.LongPromptIds.AsSpan(chunk));
        int vocab = model.Config.Architecture.VocabSize;
        Assert.True(HfFixture.MaxAbsDiff(logits.AsSpan(logits.Length - 4 * vocab), fixture.LongLast4Logits) <= 1e-3);
    }

    [Fact]
    public void Generate_AlreadyCancelled_ThrowsOperationCanceled()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));

        Assert.ThrowsAny<OperationCanceledException>(() => new TextGenerator(model).Generate(fixture.PromptIds, null, null, new CancellationToken(true)).ToList());
    }

    [Fact]
    public void Generate_ConcurrentRequestsOnOneModel_EachEqualsGreedyReference()
    {
        var fixture = HfFixture.Load("qwen2");
        using var model = EdgeInfiniteModel.Load(packages.Get("qwen2"));
        var generator = new TextGenerator(model);

        var results = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8)
            .Select(_ => Ids(generator.Generate(fixture.PromptIds, new GenerationOptions { Greedy = true, MaxNewTokens = 24, StopTokenIds = [] })))
            .ToList();

        Assert.All(results, r => Assert.Equal(fixture.GreedyNewIds, r));
    }

    [Theory]
    [InlineData(nameof(GenerationOptions.TopP), 0f)]
    [InlineData(nameof(GenerationOptions.Temperature), -1f)]
    [InlineData(nameof(GenerationOptions.RepetitionPenalty), 0f)]
    [InlineData(nameof(GenerationOptions.TopK), -1f)]
    [InlineData(nameof(GenerationOptions.MaxNewTokens), -1f)]
    public void Validate_BadSetting_ThrowsNamingIt(string setting, float value)
    {
        var options = new GenerationOptions();
        var property = typeof(GenerationOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(int) ? (object)(int)value : value);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(setting, ex.ParamName);
    }

    [Fact]
    public void Append_TokenOutsideVocabulary_ThrowsAndLeavesStateUnchanged()
    {
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));
        using var state = model.CreateState(Route.Short, 8);
        state.Append([5, 6]);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => state.Append([7, 384]));

        Assert.Contains("384", ex.Message);
        Assert.Equal(2, state.TokenCount);
    }
}
