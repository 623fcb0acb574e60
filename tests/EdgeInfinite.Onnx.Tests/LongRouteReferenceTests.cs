using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Reference;

namespace EdgeInfinite.Onnx.Tests;

public sealed class LongRouteReferenceTests : IDisposable
{
    // Small S/W/L so that a short stream crosses many window evictions and memory writes.
    private static readonly LongRouteSettings s_settings = new() { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-long-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public static TheoryData<string, MemoryUpdateRule, MemoryFeatureMap, double> Cases => new()
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
    [MemberData(nameof(Cases))]
    public void LongRoute_RandomGatesPrefillAndDecode_MatchesFloat64ReferenceWithin1e4Relative(string arch, MemoryUpdateRule rule, MemoryFeatureMap features, double featureScale)
    {
        var settings = s_settings with { UpdateRule = rule, FeatureMap = features, FeatureScale = featureScale };
        var (package, weights, gateW, gateB) = Build(arch, settings, randomGates: true);
        var fixture = HfFixture.Load(arch);
        var prompt = fixture.LongPromptIds.Take(8 * settings.SegmentTokens).ToArray();   // 8 segments
        var decode = fixture.LongPromptIds.Skip(prompt.Length).Take(2 * settings.WindowTokens + 5).ToArray();
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Long, 0);
        var reference = new ReferenceLongRoute(weights, settings, gateW, gateB);

        var engine = new List<float>(state.AppendAllLogits(prompt));
        foreach (int id in decode)
        {
            engine.AddRange(state.Append([id]));
        }

        var expectedRows = reference.Process(prompt).Concat(decode.SelectMany(id => reference.Process([id]))).ToArray();
        var expected = expectedRows.SelectMany(r => r).ToArray();
        Assert.Equal(expected.Length, engine.Count);
        double scale = expected.Max(Math.Abs);
        double maxDiff = expected.Select((e, i) => Math.Abs(e - engine[i])).Max();
        Assert.True(maxDiff / scale <= 1e-4, $"max relative error {maxDiff / scale:E2}");
        Assert.Equal(reference.TokensInMemory, state.TokensInMemory);
        Assert.True(state.TokensInMemory >= 6 * settings.SegmentTokens);

        // Not vacuous: without memory the same stream gives clearly different logits.
        var memoryOff = new ReferenceLongRoute(weights, settings, gateW, gateB, memoryOn: false);
        var off = memoryOff.Process(prompt).Concat(decode.SelectMany(id => memoryOff.Process([id]))).SelectMany(r => r).ToArray();
        double memoryEffect = expected.Select((e, i) => Math.Abs(e - off[i])).Max();
        Assert.True(memoryEffect / scale > 1e-2, $"memory changed logits by only {memoryEffect / scale:E2}");

        // A non-default β is really used: the default β gives other logits.
        if (featureScale != ExponentialFeatures.DefaultScale)
        {
            var defaultScale = new ReferenceLongRoute(weights, settings with { FeatureScale = ExponentialFeatures.DefaultScale }, gateW, gateB);
            var other = defaultScale.Process(prompt).Concat(decode.SelectMany(id => defaultScale.Process([id]))).SelectMany(r => r).ToArray();
            double scaleEffect = expected.Select((e, i) => Math.Abs(e - other[i])).Max();
            Assert.True(scaleEffect / scale > 1e-3, $"β changed logits by only {scaleEffect / scale:E2}");
        }
    }

    [Fact]
    public void LongRoute_UntrainedGates_EqualsMemoryOffMode()
    {
        var (package, _, _, _) = Build("llama", s_settings, randomGates: false);
        var ids = HfFixture.Load("llama").LongPromptIds.Take(200).ToArray();
        using var model = EdgeInfiniteModel.Load(package);
        using var withMemory = model.CreateState(Route.Long, 0);
        using var withoutMemory = model.CreateState(Route.Long, 0, memoryEnabled: false);

        var a = withMemory.AppendAllLogits(ids);
        var b = withoutMemory.AppendAllLogits(ids);

        Assert.True(withMemory.TokensInMemory > 0);
        Assert.Equal(0, withoutMemory.TokensInMemory);
        Assert.Equal(b, a);
    }

    [Fact]
    public void LongRoute_StateBytes_SameAfter2kAnd50kTokens()
    {
        var (package, _, _, _) = Build("qwen2", s_settings, randomGates: true);
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Long, 0);
        var random = new Random(11);
        int[] Tokens(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(384))];

        state.Append(Tokens(2_000));
        long after2k = state.StateBytes;
        using var snapshot2k = new MemoryStream();
        state.Save(snapshot2k);
        state.Append(Tokens(48_000));
        using var snapshot50k = new MemoryStream();
        state.Save(snapshot50k);

        Assert.Equal(after2k, state.StateBytes);
        Assert.Equal(snapshot2k.Length, snapshot50k.Length);
        Assert.Equal(50_000, state.TokenCount);
        Assert.True(state.CachedTokens <= s_settings.SinkTokens + s_settings.WindowTokens + s_settings.SegmentTokens);
        Assert.True(state.IsFinite());
    }

    [Fact]
    public void Append_AutoStateGrowsPastThreshold_ConvertsAndMatchesReferenceConversion()
    {
        var (package, weights, gateW, gateB) = Build("llama", s_settings, randomGates: true);
        var ids = HfFixture.Load("llama").LongPromptIds;
        using var model = EdgeInfiniteModel.Load(package, new EdgeInfiniteModelOptions { RouteThreshold = 100 });
        using var state = model.CreateState(Route.Auto, 40);
        var reference = new ReferenceLongRoute(weights, s_settings, gateW, gateB);

        var shortLogits = state.AppendAllLogits(ids.AsSpan(0, 100));
        Assert.Equal(Route.Short, state.Route);
        var longLogits = state.AppendAllLogits(ids.AsSpan(100, 60));

        Assert.Equal(Route.Long, state.Route);
        var expectedShort = reference.ProcessFullAttentionThenConvert(ids.Take(100).ToArray()).SelectMany(r => r).ToArray();
        var expectedLong = reference.Process(ids.Skip(100).Take(60).ToArray()).SelectMany(r => r).ToArray();
        AssertRelative(expectedShort, shortLogits, 1e-4);
        AssertRelative(expectedLong, longLogits, 1e-4);
        Assert.Equal(reference.TokensInMemory, state.TokensInMemory);
        Assert.True(state.TokensInMemory > 0);
    }

    [Fact]
    public void Append_LongRouteInArbitraryPieces_SameLogitsAsOnePrefill()
    {
        var (package, _, _, _) = Build("qwen2", s_settings, randomGates: true);
        var ids = HfFixture.Load("qwen2").LongPromptIds.Take(300).ToArray();
        using var model = EdgeInfiniteModel.Load(package);
        using var whole = model.CreateState(Route.Long, 0);
        using var pieces = model.CreateState(Route.Long, 0);
        var expected = whole.AppendAllLogits(ids);

        var random = new Random(5);
        var actual = new List<float>();
        for (int start = 0; start < ids.Length;)
        {
            int n = Math.Min(random.Next(1, 40), ids.Length - start);
            actual.AddRange(pieces.AppendAllLogits(ids.AsSpan(start, n)));
            start += n;
        }

        Assert.True(HfFixture.MaxAbsDiff(expected, actual.ToArray()) <= 1e-5, $"max abs diff {HfFixture.MaxAbsDiff(expected, actual.ToArray())}");
        Assert.Equal(whole.TokensInMemory, pieces.TokensInMemory);
        Assert.Equal(whole.CachedTokens, pieces.CachedTokens);
    }

    private static void AssertRelative(double[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        double maxDiff = expected.Select((e, i) => Math.Abs(e - actual[i])).Max();
        Assert.True(maxDiff / scale <= tolerance, $"max relative error {maxDiff / scale:E2}");
    }

    private (string Package, TransformerWeights Weights, float[][] GateW, float[][] GateB) Build(string arch, LongRouteSettings settings, bool randomGates)
    {
        string source = Path.Combine(HfFixture.Root, "hf", arch);
        string basePackage = Path.Combine(_root, $"{arch}-{settings.UpdateRule}");
        new PackageBuilder().Convert(source, basePackage, new ConversionOptions { LongRoute = settings });
        var weights = TransformerWeightsReader.Read(HfCheckpoint.Open(source));
        var a = weights.Architecture;
        var random = new Random(1234);
        float[][] gateW = Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Range(0, a.HiddenSize * a.NumHeads).Select(_ => randomGates ? (float)(random.NextDouble() - 0.5) * 0.6f : 0f).ToArray()).ToArray();
        float[][] gateB = Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Range(0, a.NumHeads).Select(_ => randomGates ? (float)(random.NextDouble() - 0.5) * 2f : -30f).ToArray()).ToArray();
        if (!randomGates)
        {
            return (basePackage, weights, gateW, gateB);
        }

        string gated = basePackage + "-gated";
        PackageGates.WriteCopy(basePackage, gated, gateW, gateB);
        return (gated, weights, gateW, gateB);
    }
}
