using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// ONNX Runtime GenAI runs a quantized package's <c>model.onnx</c> (MatMulNBits + GatherBlockQuantized, the layout of
/// GenAI's own int4 CPU builder) unchanged, and its greedy continuation is the engine's short-route one.
/// </summary>
public sealed class QuantizedGenAiTests(QuantizedPackages packages) : IClassFixture<QuantizedPackages>
{
    public static TheoryData<string, WeightPrecision> Cases => new()
    {
        { "llama", WeightPrecision.Int4 },
        { "qwen2", WeightPrecision.Int4 },
        { "llama", WeightPrecision.Int8 },
        { "qwen2", WeightPrecision.Int8 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GenerateNextToken_QuantizedDecoderGraph_MatchesEngineShortRouteGreedy(string arch, WeightPrecision precision)
    {
        var fixture = HfFixture.Load(arch);
        string package = packages.Get(arch, WeightSettings.For(precision));
        int newTokens = fixture.GreedyNewIds.Length;

        var (genAi, _, _) = GenAiGreedy.Run(package, fixture.PromptIds, newTokens);

        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, fixture.PromptIds.Length + newTokens);
        var engine = new List<int>();
        var logits = state.Append(fixture.PromptIds);
        for (int i = 0; i < newTokens; i++)
        {
            int next = logits.AsSpan().IndexOf(System.Numerics.Tensors.TensorPrimitives.Max(logits));
            engine.Add(next);
            logits = state.Append([next]);
        }

        Assert.Equal(engine, genAi);

        // Not vacuous: the float32 model continues differently somewhere or the logits differ (checked in QuantizedAccuracyTests);
        // here the quantized graph must at least not be the float32 one.
        Assert.Contains("MatMulNBits", File.ReadAllText(Path.Combine(package, "model.onnx"), System.Text.Encoding.Latin1), StringComparison.Ordinal);
    }
}
