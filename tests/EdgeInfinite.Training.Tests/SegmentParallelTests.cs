using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;
using static TorchSharp.torch;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;

namespace EdgeInfinite.Training.Tests;

/// <summary>The long route run segment-parallel (the default for training) against the engine's chunk-by-chunk schedule.</summary>
public sealed class SegmentParallelTests(Fixtures fixtures, ITestOutputHelper output) : IClassFixture<Fixtures>
{
    public static TheoryData<MemoryUpdateRule, MemoryFeatureMap, int> Cases => new()
    {
        { MemoryUpdateRule.Delta, MemoryFeatureMap.EluPlusOne, 4 + (9 * 16) + 7 },
        { MemoryUpdateRule.Delta, MemoryFeatureMap.EluPlusOne, 4 + (10 * 16) },
        { MemoryUpdateRule.Linear, MemoryFeatureMap.EluPlusOne, 4 + (7 * 16) + 1 },
        { MemoryUpdateRule.Delta, MemoryFeatureMap.L2Normalized, 4 + (9 * 16) + 7 },
        { MemoryUpdateRule.Delta, MemoryFeatureMap.Exponential, 4 + (9 * 16) + 7 },
        { MemoryUpdateRule.Linear, MemoryFeatureMap.Exponential, 4 + (4 * 16) },
        { MemoryUpdateRule.Delta, MemoryFeatureMap.Exponential, 40 },
        { MemoryUpdateRule.Delta, MemoryFeatureMap.Exponential, 5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardLong_SegmentParallel_SameLogitsLossAndGateGradientsAsChunkByChunk(MemoryUpdateRule rule, MemoryFeatureMap features, int length)
    {
        var (package, _, _) = fixtures.GatedPackage("qwen2", rule, features);
        var weights = PackageWeightsReader.Read(package);
        var settings = weights.Config.LongRoute;
        var ids = Fixtures.LongPromptIds("qwen2").Take(length).ToArray();
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases, ScalarType.Float64);

        var chunked = Run(transformer, ids, settings, new LongRouteOptions { ChunkByChunk = true });
        var parallel = Run(transformer, ids, settings, new LongRouteOptions());

        output.WriteLine($"{rule} {features}, {length} tokens: {parallel.InMemory} in memory, loss {parallel.Loss:F6}");
        Assert.Equal(chunked.InMemory, parallel.InMemory);
        Assert.Equal(chunked.FirstGated, parallel.FirstGated);
        AssertClose(chunked.Logits, parallel.Logits, 1e-9, "logits");
        Assert.Equal(chunked.Loss, parallel.Loss, 1e-9);
        for (int i = 0; i < chunked.Gradients.Length; i++)
        {
            AssertClose(chunked.Gradients[i], parallel.Gradients[i], 1e-8, $"gradient of gate tensor {i}");
        }
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void ForwardLong_SegmentParallelMemoryOrGatesOff_SameLogitsAsChunkByChunk(bool memory, bool gates)
    {
        var (package, _, _) = fixtures.GatedPackage("llama");
        var weights = PackageWeightsReader.Read(package);
        var ids = Fixtures.LongPromptIds("llama").Take(4 + (8 * 16) + 3).ToArray();
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases, ScalarType.Float64);

        var chunked = Run(transformer, ids, weights.Config.LongRoute, new LongRouteOptions { ChunkByChunk = true, MemoryEnabled = memory, GatesEnabled = gates });
        var parallel = Run(transformer, ids, weights.Config.LongRoute, new LongRouteOptions { MemoryEnabled = memory, GatesEnabled = gates });
        var on = Run(transformer, ids, weights.Config.LongRoute, new LongRouteOptions());

        Assert.Equal(chunked.InMemory, parallel.InMemory);
        Assert.Equal(-1, parallel.FirstGated);
        AssertClose(chunked.Logits, parallel.Logits, 1e-9, "logits");
        Assert.True(MaxDifference(on.Logits, parallel.Logits) > 1e-3, "memory and gates on should change the logits");
    }

    [Fact]
    public void ForwardLong_SegmentParallelTrainableBaseWithLossWeights_SameGradientsAsChunkByChunk()
    {
        var shape = new BaseModelShape { VocabSize = 64, HiddenSize = 64, Layers = 2, Heads = 4, KvHeads = 2, IntermediateSize = 96, MaxPositions = 256 };
        var route = new LongRouteSettings { SinkTokens = 2, WindowTokens = 16, SegmentTokens = 8, RouteThreshold = 32, FeatureMap = MemoryFeatureMap.Exponential };
        using var scope = NewDisposeScope();
        using var llama = new TrainableLlama(shape, seed: 5, maxTokens: 32);
        var gateW = Enumerable.Range(0, shape.Layers).Select(_ => TensorFactory.Trainable(new float[shape.HiddenSize * shape.Heads], ScalarType.Float32, shape.HiddenSize, shape.Heads)).ToArray();
        var gateB = Enumerable.Range(0, shape.Layers).Select(_ => TensorFactory.Trainable([0.5f, -0.5f, 1f, 0f], ScalarType.Float32, shape.Heads)).ToArray();
        using var model = new GatedTransformer(llama, gateW, gateB);
        var ids = TensorFactory.Ids(new RepeatedSpanData(shape.VocabSize, seed: 2).Batch(0, 3, 2 + (9 * 8) + 5));
        var lossWeights = rand(ids.shape, generator: new Generator(3)) * 4;
        var parameters = llama.Parameters.Concat(model.TrainableParameters).ToArray();

        float[][] Gradients(bool chunkByChunk, out double loss)
        {
            foreach (var p in parameters)
            {
                p.grad?.zero_();
            }

            var run = model.ForwardLong(ids, route, new LongRouteOptions { Targets = ids, Weights = lossWeights, ReturnLogits = false, BackwardPerWindow = true, ChunkByChunk = chunkByChunk });
            loss = run.Loss!.to_type(ScalarType.Float64).item<double>();
            return parameters.Select(p => p.grad!.contiguous().data<float>().ToArray()).ToArray();
        }

        var chunked = Gradients(chunkByChunk: true, out double chunkedLoss);
        var parallel = Gradients(chunkByChunk: false, out double parallelLoss);

        Assert.Equal(chunkedLoss, parallelLoss, 5);
        for (int i = 0; i < parameters.Length; i++)
        {
            AssertClose(chunked[i], parallel[i], 1e-4, $"gradient of parameter {i}");
        }
    }

    [Theory]
    [InlineData(4 + (9 * 16) + 7)]
    [InlineData(4 + (6 * 16))]
    [InlineData(40)]
    public void ForwardLong_SegmentParallelFromInitialMemory_SameLogitsLossGradientsAndMemoryAsChunkByChunk(int length)
    {
        var (package, _, _) = fixtures.GatedPackage("qwen2", MemoryUpdateRule.Delta, MemoryFeatureMap.Exponential);
        var weights = PackageWeightsReader.Read(package);
        var settings = weights.Config.LongRoute;
        var all = Fixtures.LongPromptIds("qwen2");
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases, ScalarType.Float64);
        using var scope = NewDisposeScope();

        // Row 0 continues from the memory of 300 earlier tokens; row 1's flag says its memory holds nothing.
        var earlier = Ids([all[..300], all[300..600]]);
        var initial = transformer.ForwardLong(earlier, settings, new LongRouteOptions { ReturnLogits = false, ReturnMemory = true }).Memory!;
        initial = initial with { Holds = [true, false] };
        var ids = Ids([all[600..(600 + length)], all[900..(900 + length)]]);

        var chunked = RunBatch(transformer, ids, settings, new LongRouteOptions { ChunkByChunk = true, InitialMemory = initial, ReturnMemory = true });
        var parallel = RunBatch(transformer, ids, settings, new LongRouteOptions { InitialMemory = initial, ReturnMemory = true });
        var empty = RunBatch(transformer, ids, settings, new LongRouteOptions { ReturnMemory = true });

        output.WriteLine($"{length} tokens: loss from memory {parallel.Loss:F6}, from empty {empty.Loss:F6}");
        Assert.Equal(0, chunked.FirstGated);
        Assert.Equal(0, parallel.FirstGated);
        AssertClose(chunked.Logits, parallel.Logits, 1e-9, "logits");
        if (!double.IsNaN(chunked.Loss))
        {
            Assert.Equal(chunked.Loss, parallel.Loss, 1e-9);
        }

        for (int i = 0; i < chunked.Gradients.Length; i++)
        {
            AssertClose(chunked.Gradients[i], parallel.Gradients[i], 1e-8, $"gradient of gate tensor {i}");
        }

        AssertClose(chunked.Memory, parallel.Memory, 1e-9, "final memory");
        Assert.Equal(chunked.Holds, parallel.Holds);

        // The row whose memory holds nothing runs as from an empty state; the other reads its memory from its first token.
        int half = chunked.Logits.Length / 2;
        AssertClose(empty.Logits[half..], parallel.Logits[half..], 1e-12, "logits of the row starting empty");
        Assert.True(MaxDifference(empty.Logits[..half], parallel.Logits[..half]) > 1e-3, "the initial memory should change the first row's logits");
        Assert.True(MaxDifference(empty.Logits[..64], parallel.Logits[..64]) > 1e-3, "the sink's positions should read the initial memory too");
    }

    [Fact]
    public void ForwardLong_InitialMemoryOfAnotherShape_ThrowsNamingTheShape()
    {
        var (package, _, _) = fixtures.GatedPackage("llama");
        var weights = PackageWeightsReader.Read(package);
        var a = weights.Weights.Architecture;
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases, ScalarType.Float64);
        using var scope = NewDisposeScope();
        var ids = Ids([Fixtures.LongPromptIds("llama")[..100]]);
        var wrongBatch = LongRouteMemory.Empty(a.NumLayers, 2, a.NumKvHeads, a.HeadDim, ScalarType.Float64);

        var error = Assert.Throws<ArgumentException>(() => transformer.ForwardLong(ids, weights.Config.LongRoute, new LongRouteOptions { InitialMemory = wrongBatch }));

        Assert.Contains($"M [1, {a.NumKvHeads}, {a.HeadDim}, {a.HeadDim}]", error.Message);
    }

    private static (double[] Logits, double Loss, double[][] Gradients, long InMemory, int FirstGated) Run(GatedTransformer transformer, int[] ids, LongRouteSettings settings, LongRouteOptions options)
    {
        using var scope = NewDisposeScope();
        foreach (var p in transformer.TrainableParameters)
        {
            p.grad?.zero_();
        }

        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        options.Targets = input;
        var run = transformer.ForwardLong(input, settings, options);
        double loss = double.NaN;
        if (run.Loss is { } l)
        {
            loss = l.item<double>();
            if (l.requires_grad)
            {
                l.backward();
            }
        }

        var gradients = transformer.TrainableParameters.Select(p => p.grad is { } g ? g.contiguous().data<double>().ToArray() : new double[p.numel()]).ToArray();
        return (run.Logits!.contiguous().data<double>().ToArray(), loss, gradients, run.TokensInMemory, run.FirstGatedPosition);
    }

    private static Tensor Ids(int[][] rows) => tensor(rows.SelectMany(r => r).Select(i => (long)i).ToArray(), [rows.Length, rows[0].Length]);

    private static (double[] Logits, double Loss, double[][] Gradients, double[] Memory, bool[] Holds, int FirstGated) RunBatch(GatedTransformer transformer, Tensor ids, LongRouteSettings settings, LongRouteOptions options)
    {
        using var scope = NewDisposeScope();
        foreach (var p in transformer.TrainableParameters)
        {
            p.grad?.zero_();
        }

        options.Targets = ids;
        var run = transformer.ForwardLong(ids, settings, options);
        double loss = double.NaN;
        if (run.Loss is { } l)
        {
            loss = l.item<double>();
            l.backward();
        }

        var gradients = transformer.TrainableParameters.Select(p => p.grad is { } g ? g.contiguous().data<double>().ToArray() : new double[p.numel()]).ToArray();
        var memory = run.Memory!.M.Concat(run.Memory.Z).SelectMany(t => t.contiguous().data<double>().ToArray()).ToArray();
        return (run.Logits!.contiguous().data<double>().ToArray(), loss, gradients, memory, run.Memory.Holds, run.FirstGatedPosition);
    }

    private static double MaxDifference(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double relative, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        double scale = Math.Max(expected.Max(Math.Abs), 1e-30);
        double difference = MaxDifference(expected, actual);
        Assert.True(difference <= relative * scale, $"{what} differ by {difference:E2} (scale {scale:E2})");
    }

    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double relative, string what) =>
        AssertClose(expected.Select(v => (double)v).ToArray(), actual.Select(v => (double)v).ToArray(), relative, what);
}
