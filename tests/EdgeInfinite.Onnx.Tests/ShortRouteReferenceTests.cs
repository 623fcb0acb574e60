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

        Assert.True(HfFixture.MaxAbsDiff(logits, fixture.PromptLogits) <= 1e-4, $"max abs diff {HfFixture.MaxAbsDiff(logits, fixture.PromptLogits)}");
    }
}
