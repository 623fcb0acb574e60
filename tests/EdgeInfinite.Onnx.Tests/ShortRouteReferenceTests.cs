using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Onnx.Tests;

public sealed class ShortRouteReferenceTests(ConvertedPackages packages) : IClassFixture<ConvertedPackages>
{
    public static TheoryData<string> Architectures => new() { "llama", "qwen2" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void AppendAllLogits_FixturePrompt_MatchesTransformersWithin1e4(string arch)
    {
        var fixture = HfFixture.Load(arch);
        using var model = EdgeInfiniteModel.Load(packages.Get(arch));
        using var state = model.CreateState(Route.Short, fixture.PromptIds.Length);

        var logits = state.AppendAllLogits(fixture.PromptIds);

        double diff = HfFixture.MaxAbsDiff(logits, fixture.PromptLogits);
        Assert.True(diff <= 1e-4, $"max abs diff {diff}");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void AppendAllLogits_1500TokenPrompt_LastFourMatchTransformersWithin1e3(string arch)
    {
        var fixture = HfFixture.Load(arch);
        using var model = EdgeInfiniteModel.Load(packages.Get(arch));
        using var state = model.CreateState(Route.Short, fixture.LongPromptIds.Length);

        var logits = state.AppendAllLogits(fixture.LongPromptIds);

        int vocab = model.Config.Architecture.VocabSize;
        double diff = HfFixture.MaxAbsDiff(logits.AsSpan(logits.Length - 4 * vocab), fixture.LongLast4Logits);
        Assert.True(diff <= 1e-3, $"max abs diff {diff}");
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Generate_Greedy24_EqualsTransformersGreedyIds(string arch)
    {
        var fixture = HfFixture.Load(arch);
        using var model = EdgeInfiniteModel.Load(packages.Get(arch));
        var options = new GenerationOptions { Greedy = true, MaxNewTokens = 24, StopTokenIds = [] };

        var updates = new TextGenerator(model).Generate(fixture.PromptIds, options).ToList();

        Assert.Equal(fixture.GreedyNewIds, updates.Where(u => u.TokenId is not null).Select(u => u.TokenId!.Value));
        Assert.Equal(GenerationFinishReason.Length, updates[^1].FinishReason);
        Assert.Equal(24, updates[^1].OutputTokens);
    }

    [Fact]
    public void Append_InChunksAndTokenByToken_SameLogitsAsOnePrefill()
    {
        var fixture = HfFixture.Load("llama");
        using var model = EdgeInfiniteModel.Load(packages.Get("llama"));
        using var whole = model.CreateState(Route.Short, 48);
        using var pieces = model.CreateState(Route.Short, 8);
        var expected = whole.AppendAllLogits(fixture.PromptIds);

        // 8-token capacity forces the cache to grow twice; decode steps exercise single-token GQA.
        pieces.AppendAllLogits(fixture.PromptIds.AsSpan(0, 20));
        for (int i = 20; i < 47; i++)
        {
            pieces.Append(fixture.PromptIds.AsSpan(i, 1));
        }

        var last = pieces.Append(fixture.PromptIds.AsSpan(47, 1));
        int vocab = model.Config.Architecture.VocabSize;
        Assert.True(HfFixture.MaxAbsDiff(last, expected.AsSpan(47 * vocab)) <= 1e-5);
        Assert.Equal(48, pieces.TokenCount);
    }
}
