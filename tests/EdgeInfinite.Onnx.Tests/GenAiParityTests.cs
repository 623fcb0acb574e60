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
        using var model = new Model(packages.Get(arch));
        using var parameters = new GeneratorParams(model);
        parameters.SetSearchOption("max_length", fixture.PromptIds.Length + newTokens);
        parameters.SetSearchOption("do_sample", false);
        parameters.SetSearchOption("top_k", 1);
        using var generator = new Generator(model, parameters);

        generator.AppendTokens(fixture.PromptIds);
        var generated = new List<int>();
        for (int i = 0; i < newTokens; i++)
        {
            generator.GenerateNextToken();
            generated.Add(generator.GetNextTokens()[0]);
        }

        Assert.Equal(fixture.GreedyNewIds, generated);
        Assert.True(generator.IsDone(), "max_length reached, so GenAI should report done");
        Assert.Equal([.. fixture.PromptIds, .. fixture.GreedyNewIds], generator.GetSequence(0).ToArray());
    }
}
