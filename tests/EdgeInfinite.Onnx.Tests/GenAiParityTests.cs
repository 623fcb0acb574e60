using Microsoft.ML.OnnxRuntimeGenAI;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// The package's <c>model.onnx</c> + <c>genai_config.json</c> run unchanged under ONNX Runtime GenAI 0.18's
/// <c>Model</c>/<c>Generator</c> (no tokenizer files needed) and reproduce transformers' greedy continuation.
/// </summary>
public sealed class GenAiParityTests(ConvertedPackages packages) : IClassFixture<ConvertedPackages>
{
    public static TheoryData<string> Architectures => new() { "llama", "qwen2" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void GenerateNextToken_FixturePromptGreedy_MatchesTransformersGreedyIds(string arch)
    {
        var fixture = HfFixture.Load(arch);
        int newTokens = fixture.GreedyNewIds.Length;
        var (generated, sequence, done) = GenAiGreedy.Run(packages.Get(arch), fixture.PromptIds, newTokens);

        Assert.Equal(fixture.GreedyNewIds, generated);
        Assert.True(done, "max_length reached, so GenAI should report done");
        Assert.Equal([.. fixture.PromptIds, .. fixture.GreedyNewIds], sequence);
    }
}
