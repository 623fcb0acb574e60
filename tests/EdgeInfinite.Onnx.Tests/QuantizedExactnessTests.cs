using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// A quantized package computes exactly the model of its dequantized weights: the engine (MatMulNBits at accuracy
/// level 0, float32 compute) against the float64 reference run on the weights read back and dequantized, short and long
/// route. The family cases get the same checks in <c>QuantizedFamilyTests</c>.
/// </summary>
public sealed class QuantizedExactnessTests(QuantizedPackages packages, ITestOutputHelper output) : IClassFixture<QuantizedPackages>, IDisposable
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

        var result = QuantizedExactness.ShortRoute(package, fixture.PromptIds, TransformerWeightsReader.Read(HfCheckpoint.Open(fixture.Directory)));

        output.WriteLine($"{arch} {precision} short route: max relative error {result.RelativeError:E2}, quantization moved the reference by {result.QuantizationEffect:E2}");
        Assert.True(result.RelativeError <= 1e-4, $"max relative error {result.RelativeError:E2}");
        // Not vacuous: the float32 checkpoint's reference is measurably different from the dequantized one.
        Assert.True(result.QuantizationEffect > 1e-4, $"quantization changed the reference logits by only {result.QuantizationEffect:E2}");
    }

    [Theory]
    [InlineData("qwen2")]
    [InlineData("llama")]
    public void AppendAllLogits_Int4WithFloat32Embeddings_MatchesFloat64ReferenceOnDequantizedWeightsWithin1e4(string arch)
    {
        var fixture = HfFixture.Load(arch);
        string package = packages.Get(arch, WeightSettings.For(WeightPrecision.Int4, accuracyLevel: 0), layout: GraphLayoutOptions.Default with { FloatEmbeddings = true });
        var original = TransformerWeightsReader.Read(HfCheckpoint.Open(fixture.Directory));

        var result = QuantizedExactness.ShortRoute(package, fixture.PromptIds, original);

        output.WriteLine($"{arch} Int4, float32 embeddings, short route: max relative error {result.RelativeError:E2}");
        Assert.True(result.RelativeError <= 1e-4, $"max relative error {result.RelativeError:E2}");
        var dequantized = PackageWeightsReader.Read(package).Weights;
        Assert.Equal(original.Embedding, dequantized.Embedding);
        Assert.NotEqual(original.LmHead, dequantized.LmHead);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LongRoute_QuantizedRandomGates_MatchesFloat64ReferenceOnDequantizedWeightsWithin1e4(string arch, WeightPrecision precision)
    {
        string basePackage = packages.Get(arch, WeightSettings.For(precision, accuracyLevel: 0), s_long);
        var fixture = HfFixture.Load(arch);
        var prompt = fixture.LongPromptIds.Take(8 * s_long.SegmentTokens).ToArray();
        var decode = fixture.LongPromptIds.Skip(prompt.Length).Take(2 * s_long.WindowTokens + 5).ToArray();

        var result = QuantizedExactness.LongRoute(basePackage, Path.Combine(_root, $"{arch}-{precision}-gated"), prompt, decode);

        output.WriteLine($"{arch} {precision} long route: max relative error {result.RelativeError:E2}, {result.EngineTokensInMemory} tokens in memory");
        Assert.True(result.RelativeError <= 1e-4, $"max relative error {result.RelativeError:E2}");
        Assert.Equal(result.ReferenceTokensInMemory, result.EngineTokensInMemory);
        Assert.True(result.EngineTokensInMemory >= 6 * s_long.SegmentTokens);
        Assert.Equal(precision, ModelPackage.Open(basePackage).Config.Weights.Precision);
    }
}
