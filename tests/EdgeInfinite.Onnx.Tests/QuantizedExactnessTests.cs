using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Reference;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// A quantized package computes exactly the model of its dequantized weights: the engine (MatMulNBits at accuracy
/// level 0, float32 compute) against the float64 reference run on the weights read back and dequantized, short and long route.
/// </summary>
public sealed class QuantizedExactnessTests(QuantizedPackages packages) : IClassFixture<QuantizedPackages>, IDisposable
{
    private static readonly LongRouteSettings s_long = new() { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-quant-long-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string, WeightPrecision> Cases => new()
    {
        { "llama", WeightPrecision.Int8 },
        { "llama", WeightPrecision.Int4 },
        { "qwen2", WeightPrecision.Int8 },
        { "qwen2", WeightPrecision.Int4 },
    };

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AppendAllLogits_QuantizedFixture_MatchesFloat64ReferenceOnDequantizedWeightsWithin1e4(string arch, WeightPrecision precision)
    {
        var fixture = HfFixture.Load(arch);
        string package = packages.Get(arch, WeightSettings.For(precision, accuracyLevel: 0));
        var dequantized = PackageWeightsReader.Read(package).Weights;
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, fixture.PromptIds.Length);

        var logits = state.AppendAllLogits(fixture.PromptIds);

        var expected = new ReferenceTransformer(dequantized).Forward(fixture.PromptIds).SelectMany(r => r).ToArray();
        AssertRelative(expected, logits, 1e-4);

        // Not vacuous: the float32 checkpoint's reference is measurably different from the dequantized one.
        var original = new ReferenceTransformer(TransformerWeightsReader.Read(HfCheckpoint.Open(fixture.Directory))).Forward(fixture.PromptIds).SelectMany(r => r).ToArray();
        double quantizationEffect = expected.Select((e, i) => Math.Abs(e - original[i])).Max();
        Assert.True(quantizationEffect > 1e-4 * expected.Max(Math.Abs), $"quantization changed the reference logits by only {quantizationEffect:E2}");
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("llama")]
    public void AppendAllLogits_Int4WithFloat32Embeddings_MatchesFloat64ReferenceOnDequantizedWeightsWithin1e4(string arch)
    {
        var fixture = HfFixture.Load(arch);
        string package = packages.Get(arch, WeightSettings.For(WeightPrecision.Int4, accuracyLevel: 0), layout: GraphLayoutOptions.Default with { FloatEmbeddings = true });
        var dequantized = PackageWeightsReader.Read(package).Weights;
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, fixture.PromptIds.Length);

        var logits = state.AppendAllLogits(fixture.PromptIds);

        AssertRelative(new ReferenceTransformer(dequantized).Forward(fixture.PromptIds).SelectMany(r => r).ToArray(), logits, 1e-4);
        var original = TransformerWeightsReader.Read(HfCheckpoint.Open(fixture.Directory));
        Assert.Equal(original.Embedding, dequantized.Embedding);
        Assert.NotEqual(original.LmHead, dequantized.LmHead);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LongRoute_QuantizedRandomGates_MatchesFloat64ReferenceOnDequantizedWeightsWithin1e4(string arch, WeightPrecision precision)
    {
        string basePackage = packages.Get(arch, WeightSettings.For(precision, accuracyLevel: 0), s_long);
        var weights = PackageWeightsReader.Read(basePackage).Weights;
        var a = weights.Architecture;
        var random = new Random(1234);
        float[][] gateW = [.. Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Range(0, a.HiddenSize * a.NumHeads).Select(_ => (float)(random.NextDouble() - 0.5) * 0.6f).ToArray())];
        float[][] gateB = [.. Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Range(0, a.NumHeads).Select(_ => (float)(random.NextDouble() - 0.5) * 2f).ToArray())];
        string gated = Path.Combine(_root, $"{arch}-{precision}-gated");
        PackageGates.WriteCopy(basePackage, gated, gateW, gateB);
        var fixture = HfFixture.Load(arch);
        var prompt = fixture.LongPromptIds.Take(8 * s_long.SegmentTokens).ToArray();
        var decode = fixture.LongPromptIds.Skip(prompt.Length).Take(2 * s_long.WindowTokens + 5).ToArray();
        using var model = EdgeInfiniteModel.Load(gated);
        using var state = model.CreateState(Route.Long, 0);
        var reference = new ReferenceLongRoute(weights, s_long, gateW, gateB);

        var engine = new List<float>(state.AppendAllLogits(prompt));
        foreach (int id in decode)
        {
            engine.AddRange(state.Append([id]));
        }

        var expected = reference.Process(prompt).Concat(decode.SelectMany(id => reference.Process([id]))).SelectMany(r => r).ToArray();
        AssertRelative(expected, [.. engine], 1e-4);
        Assert.Equal(reference.TokensInMemory, state.TokensInMemory);
        Assert.True(state.TokensInMemory >= 6 * s_long.SegmentTokens);
        Assert.Equal(precision, model.Config.Weights.Precision);
    }

    private static void AssertRelative(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double maxDiff = expected.Select((e, i) => Math.Abs(e - actual[i])).Max();
        Assert.True(maxDiff / scale <= tolerance, $"max relative error {maxDiff / scale:E2}");
    }
}
