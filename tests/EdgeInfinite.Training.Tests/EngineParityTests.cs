using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;
using static TorchSharp.torch;
using EdgeInfinite.Training.Model;

namespace EdgeInfinite.Training.Tests;

/// <summary>The TorchSharp model against the ONNX engine on the same package: both routes, random gates.</summary>
public sealed class EngineParityTests(Fixtures fixtures, ITestOutputHelper output) : IClassFixture<Fixtures>
{
    public static TheoryData<string, MemoryUpdateRule, MemoryFeatureMap, double> LongCases => new()
    {
        { "llama", MemoryUpdateRule.Delta, MemoryFeatureMap.EluPlusOne, ExponentialFeatures.DefaultScale },
        { "llama", MemoryUpdateRule.Linear, MemoryFeatureMap.EluPlusOne, ExponentialFeatures.DefaultScale },
        { "qwen2", MemoryUpdateRule.Delta, MemoryFeatureMap.EluPlusOne, ExponentialFeatures.DefaultScale },
        { "llama", MemoryUpdateRule.Delta, MemoryFeatureMap.L2Normalized, ExponentialFeatures.DefaultScale },
        { "qwen2", MemoryUpdateRule.Linear, MemoryFeatureMap.L2Normalized, ExponentialFeatures.DefaultScale },
        { "llama", MemoryUpdateRule.Delta, MemoryFeatureMap.Exponential, ExponentialFeatures.DefaultScale },
        { "qwen2", MemoryUpdateRule.Linear, MemoryFeatureMap.Exponential, ExponentialFeatures.DefaultScale },
        { "llama", MemoryUpdateRule.Delta, MemoryFeatureMap.Exponential, 4 },
    };

    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void ForwardShort_SamePackage_MatchesEngineShortRouteWithin1e4Relative(string arch)
    {
        var (package, _, _) = fixtures.GatedPackage(arch);
        var ids = Fixtures.LongPromptIds(arch).Take(150).ToArray();
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, ids.Length);
        var engine = state.AppendAllLogits(ids);

        var torchLogits = TorchLogits(package, ids, route: null);

        double error = RelativeError(engine, torchLogits);
        output.WriteLine($"{arch} short route, {ids.Length} tokens: max relative logit error {error:E2}");
        Assert.True(error <= 1e-4, $"max relative error {error:E2}");
    }

    [Theory]
    [MemberData(nameof(LongCases))]
    public void ForwardLong_RandomGates_MatchesEngineLongRouteWithin1e4Relative(string arch, MemoryUpdateRule rule, MemoryFeatureMap features, double featureScale)
    {
        var (package, _, _) = fixtures.GatedPackage(arch, rule, features, featureScale);
        var settings = Fixtures.Settings with { UpdateRule = rule, FeatureMap = features, FeatureScale = featureScale };
        var ids = Fixtures.LongPromptIds(arch).Take(4 + 9 * settings.SegmentTokens + 7).ToArray();   // 10 segments, the last one partial
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Long, 0);
        var engine = state.AppendAllLogits(ids);

        var torchLogits = TorchLogits(package, ids, new LongRouteOptions(), out long tokensInMemory);
        var memoryOff = TorchLogits(package, ids, new LongRouteOptions { MemoryEnabled = false }, out _);

        double error = RelativeError(engine, torchLogits);
        double memoryEffect = RelativeError(engine, memoryOff);
        output.WriteLine($"{arch} {rule} {features} β {featureScale} long route, {ids.Length} tokens, {tokensInMemory} in memory: max relative logit error {error:E2} (memory off differs by {memoryEffect:E2})");
        Assert.True(error <= 1e-4, $"max relative error {error:E2}");
        Assert.Equal(state.TokensInMemory, tokensInMemory);
        Assert.True(tokensInMemory >= 6 * settings.SegmentTokens);
        Assert.True(memoryEffect > 1e-2, $"memory changed the logits by only {memoryEffect:E2}");
    }

    [Fact]
    public void ForwardLong_Float64_MatchesFloat32Within1e5Relative()
    {
        var (package, _, _) = fixtures.GatedPackage("llama");
        var ids = Fixtures.LongPromptIds("llama").Take(120).ToArray();

        var f32 = TorchLogits(package, ids, new LongRouteOptions(), out _);
        var f64 = TorchLogits(package, ids, new LongRouteOptions(), out _, ScalarType.Float64);

        Assert.True(RelativeError(f64, f32) <= 1e-5, $"max relative error {RelativeError(f64, f32):E2}");
    }

    [Fact]
    public void ForwardLong_LossBackward_GradientsOnGatesOnlyAndFlowThroughMemoryOfEarlierSegments()
    {
        var (package, _, _) = fixtures.GatedPackage("llama");
        var weights = PackageWeightsReader.Read(package);
        var a = weights.Config.Architecture;
        var ids = Fixtures.LongPromptIds("llama").Take(4 + 8 * 16).ToArray();
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases);

        var (full, firstGated) = Gradients(transformer, ids, detachEvery: 0);
        var (truncated, _) = Gradients(transformer, ids, detachEvery: 1);

        Assert.Equal(a.NumLayers * (a.HiddenSize * a.NumHeads + a.NumHeads), transformer.TrainableCount);
        Assert.Equal(4 + 3 * 16, firstGated);   // memory is first non-empty for the 4th chunk
        Assert.All(full, g => Assert.True(g.Max(Math.Abs) > 0));

        // Full back-propagation reaches earlier segments through the memory; detaching after every segment cuts that path.
        double difference = full.Zip(truncated).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.True(difference > 1e-6, $"gradients differ by only {difference:E2}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void ForwardLong_BackwardPerWindow_SameLossAndGradientsAsOneBackward(int detachEvery)
    {
        var (package, _, _) = fixtures.GatedPackage("qwen2");
        var weights = PackageWeightsReader.Read(package);
        var ids = Fixtures.LongPromptIds("qwen2").Take(4 + 9 * 16 + 5).ToArray();
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases, ScalarType.Float64);

        var (once, _, lossOnce) = Gradients(transformer, ids, detachEvery, perWindow: false);
        var (perWindow, _, lossPerWindow) = Gradients(transformer, ids, detachEvery, perWindow: true);

        Assert.Equal(lossOnce, lossPerWindow, 1e-12);
        double difference = once.Zip(perWindow).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        double scale = once.Max(g => g.Max(Math.Abs));
        Assert.True(difference <= 1e-6 * scale, $"gradients differ by {difference:E2} (scale {scale:E2})");
    }

    [Fact]
    public void ForwardLong_LossWeights_WeightedMeanOfPerPositionCrossEntropy()
    {
        var (package, _, _) = fixtures.GatedPackage("qwen2");
        var read = PackageWeightsReader.Read(package);
        var ids = Fixtures.LongPromptIds("qwen2").Take(4 + 6 * 16 + 5).ToArray();
        using var transformer = new GatedTransformer(read.Weights, read.GateWeights, read.GateBiases, ScalarType.Float64);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        var w = Enumerable.Range(0, ids.Length).Select(i => (float)(1 + (i % 7 == 0 ? 19 : 0))).ToArray();

        var unit = transformer.ForwardLong(input, Fixtures.Settings, new LongRouteOptions { Targets = input, Weights = ones(1, ids.Length), ReturnLogits = false });
        var plain = transformer.ForwardLong(input, Fixtures.Settings, new LongRouteOptions { Targets = input, ReturnLogits = false });
        var weighted = transformer.ForwardLong(input, Fixtures.Settings, new LongRouteOptions { Targets = input, Weights = tensor(w, [1, ids.Length]) });

        // The reference: the logits' cross-entropy at each scored position, weighted by its target's weight.
        var logits = weighted.Logits!;
        int scored = GatedTransformer.LossPositions(ids.Length, Fixtures.Settings), first = ids.Length - 1 - scored;
        double sum = 0, weightSum = 0;
        for (int p = first; p < ids.Length - 1; p++)
        {
            var row = logits[0, p];
            double ce = (row.logsumexp(0) - row[ids[p + 1]]).item<double>();
            sum += w[p + 1] * ce;
            weightSum += w[p + 1];
        }

        Assert.Equal(plain.Loss!.item<double>(), unit.Loss!.item<double>(), 1e-12);
        Assert.Equal(sum / weightSum, weighted.Loss!.item<double>(), 1e-9);
        Assert.NotEqual(plain.Loss!.item<double>(), weighted.Loss!.item<double>(), 1e-6);
    }

    [Fact]
    public void ForwardLong_WeightsOfAnotherShape_ThrowsNamingTheShape()
    {
        var (package, _, _) = fixtures.GatedPackage("qwen2");
        var read = PackageWeightsReader.Read(package);
        using var transformer = new GatedTransformer(read.Weights, read.GateWeights, read.GateBiases);
        using var scope = NewDisposeScope();
        var input = tensor(Fixtures.LongPromptIds("qwen2").Take(80).Select(i => (long)i).ToArray(), [1, 80]);

        var ex = Assert.Throws<ArgumentException>(() => transformer.ForwardLong(input, Fixtures.Settings, new LongRouteOptions { Targets = input, Weights = ones(1, 79) }));

        Assert.Contains("[1, 80]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LossPositions_SmallSettings_CountsChunksAfterTheFirstEviction()
    {
        // Chunks [0,20) [20,36) [36,52) fill S + W + L = 52; the chunk [52,68) comes after the first eviction and scores
        // its 16 positions, less the sequence's last one, which has no target.
        Assert.Equal(0, GatedTransformer.LossPositions(52, Fixtures.Settings));
        Assert.Equal(15, GatedTransformer.LossPositions(68, Fixtures.Settings));
        Assert.Equal(16 + 15, GatedTransformer.LossPositions(84, Fixtures.Settings));
    }

    private static (float[][] Gradients, int FirstGated) Gradients(GatedTransformer transformer, int[] ids, int detachEvery)
    {
        var (g, first, _) = Gradients(transformer, ids, detachEvery, perWindow: false);
        return (g, first);
    }

    private static (float[][] Gradients, int FirstGated, double Loss) Gradients(GatedTransformer transformer, int[] ids, int detachEvery, bool perWindow)
    {
        using var scope = NewDisposeScope();
        foreach (var p in transformer.TrainableParameters)
        {
            p.grad?.zero_();
        }

        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        var run = transformer.ForwardLong(input, Fixtures.Settings, new LongRouteOptions { Targets = input, ReturnLogits = false, DetachEverySegments = detachEvery, BackwardPerWindow = perWindow });
        if (!perWindow)
        {
            run.Loss!.backward();
        }

        Assert.Null(run.Logits);
        var gradients = transformer.TrainableParameters.Select(p => p.grad!.to_type(ScalarType.Float32).contiguous().data<float>().ToArray()).ToArray();
        return (gradients, run.FirstGatedPosition, run.Loss!.to_type(ScalarType.Float64).item<double>());
    }

    private static float[] TorchLogits(string package, int[] ids, LongRouteOptions? route, ScalarType dtype = ScalarType.Float32) =>
        TorchLogits(package, ids, route, out _, dtype);

    private static float[] TorchLogits(string package, int[] ids, LongRouteOptions? route, out long tokensInMemory, ScalarType dtype = ScalarType.Float32)
    {
        var weights = PackageWeightsReader.Read(package);
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases, dtype);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        Tensor logits;
        if (route is null)
        {
            logits = transformer.ForwardShort(input);
            tokensInMemory = 0;
        }
        else
        {
            var run = transformer.ForwardLong(input, weights.Config.LongRoute, route);
            logits = run.Logits!;
            tokensInMemory = run.TokensInMemory;
        }

        return logits.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
    }

    private static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        double max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)expected[i] - actual[i]));
        }

        return max / scale;
    }
}
