using System.Numerics.Tensors;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// The chunk graph's float16 and int8 KV caches (built for measurement only, docs/quantization.md): what the graph
/// declares, how close its logits stay to the float32 cache's on the same weights, and that the engine refuses them.
/// </summary>
public sealed class KvCachePrecisionTests
{
    private static readonly TinyModelSpec s_spec = FamilyCases.Qwen2Bias.Spec with { NumKvHeads = 2 };

    [Fact]
    public void Convert_DefaultLayout_KeepsFloat32CacheAndPlainAttentionInputs()
    {
        using var temp = new TempFolder();
        var graph = ChunkGraph(Convert(temp, KvCachePrecision.Float32));

        Assert.Equal((int)TensorProto.Types.DataType.Float, graph.Input.Single(i => i.Name == "past_key_values.0.key").Type.TensorType.ElemType);
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Cast");
        Assert.All(graph.Node.Where(n => n.OpType == "GroupQueryAttention"), n => Assert.Equal(9, n.Input.Count));
    }

    [Fact]
    public void WriteGraphs_DefaultLayoutOnShippedModel_ReproducesItsGraphsAndWeightsByteForByte()
    {
        // The float32 default is what the float64 reference checks: the option must leave its graphs exactly as shipped.
        string shipped = ShippedModel();
        using var temp = new TempFolder();
        var config = ModelPackage.Open(shipped).Config;
        var read = PackageWeightsReader.Read(shipped);

        PackageBuilder.WriteGraphs(read.Weights, config, GraphLayoutOptions.Default, temp.Path, null, CancellationToken.None, (read.GateWeights, read.GateBiases));

        foreach (string file in new[] { config.Files.ChunkGraph, config.Files.DecoderGraph, config.Files.Weights })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(shipped, file)).AsSpan().SequenceEqual(File.ReadAllBytes(temp.Combine(file))), $"{file} differs from the shipped model's");
        }
    }

    [Fact]
    public void Convert_Float16Cache_DeclaresFloat16CacheWithFloat32AttentionInputs()
    {
        using var temp = new TempFolder();
        var graph = ChunkGraph(Convert(temp, KvCachePrecision.Float16));

        Assert.Equal((int)TensorProto.Types.DataType.Float16, graph.Input.Single(i => i.Name == "past_key_values.1.value").Type.TensorType.ElemType);
        Assert.Equal((int)TensorProto.Types.DataType.Float16, graph.Output.Single(o => o.Name == "present.1.key").Type.TensorType.ElemType);
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Cast");
    }

    [Fact]
    public void Convert_Float16AttentionCache_DeclaresFloat16CacheAndCastsAroundAttentionOnly()
    {
        using var temp = new TempFolder();
        string package = Convert(temp, KvCachePrecision.Float16Attention);
        var graph = ChunkGraph(package);

        foreach (string name in new[] { "past_key_values.0.key", "past_key_values.0.value" })
        {
            Assert.Equal((int)TensorProto.Types.DataType.Float16, graph.Input.Single(i => i.Name == name).Type.TensorType.ElemType);
        }

        Assert.Equal((int)TensorProto.Types.DataType.Float16, graph.Output.Single(o => o.Name == "present.0.key").Type.TensorType.ElemType);
        Assert.Equal((int)TensorProto.Types.DataType.Float, graph.Output.Single(o => o.Name == "logits").Type.TensorType.ElemType);

        // q, k, v per layer, the two rotary caches once, and each attention output back to float32.
        Assert.Equal((4 * s_spec.NumLayers) + 2, graph.Node.Count(n => n.OpType == "Cast"));
        var decoder = ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "model.onnx"))).Graph;
        Assert.Equal((int)TensorProto.Types.DataType.Float, decoder.Input.Single(i => i.Name == "past_key_values.0.key").Type.TensorType.ElemType);
    }

    [Theory]
    [InlineData("Float16")]
    [InlineData("Float16Attention")]
    public void ChunkGraph_Float16Cache_LogitsWithinHalfPrecisionOfFloat32CacheAndSameGreedyTokens(string precision)
    {
        using var temp = new TempFolder();
        string float32 = Convert(temp, KvCachePrecision.Float32);
        string float16 = Convert(temp, Enum.Parse<KvCachePrecision>(precision));
        using var reference = new ChunkGraphRun(float32, TensorElementType.Float, 320);
        using var half = new ChunkGraphRun(float16, TensorElementType.Float16, 320);

        var (maxDelta, agree, positions) = Compare(reference, half);

        Assert.True(maxDelta <= 5e-3, $"max abs logit difference {maxDelta}");
        Assert.True(maxDelta > 0, "a float16 cache that rounds nothing is not a float16 cache");
        Assert.Equal(positions, agree);
    }

    [Fact]
    public void ChunkGraph_Int8CacheWithCalibratedScales_LogitsCloseToFloat32CacheAndSameGreedyTokens()
    {
        using var temp = new TempFolder();
        string float32 = Convert(temp, KvCachePrecision.Float32);
        string int8 = Convert(temp, KvCachePrecision.Int8);
        using var reference = new ChunkGraphRun(float32, TensorElementType.Float, 320);
        var scales = Calibrate(float32);
        using var quantized = new ChunkGraphRun(int8, TensorElementType.Int8, 320, scales);

        var (maxDelta, agree, positions) = Compare(reference, quantized);

        Assert.True(maxDelta <= 0.1, $"max abs logit difference {maxDelta}");
        Assert.True(maxDelta > 0, "an int8 cache that rounds nothing is not an int8 cache");
        Assert.Equal(positions, agree);
    }

    [Theory]
    [InlineData("Float16")]
    [InlineData("Float16Attention")]
    [InlineData("Int8")]
    public void Load_ReducedPrecisionCachePackage_ThrowsInvalidDataNamingTheCacheInput(string type)
    {
        using var temp = new TempFolder();
        string package = Convert(temp, Enum.Parse<KvCachePrecision>(type));

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(package));

        Assert.Contains("past_key_values.0.key", ex.Message, StringComparison.Ordinal);
        Assert.Contains(type.StartsWith("Float16", StringComparison.Ordinal) ? "Float16" : type, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_Float16CacheWithUnfusedAttention_ThrowsArgumentException()
    {
        using var temp = new TempFolder();
        TinyModel.Create(s_spec).WriteCheckpoint(temp.Combine("hf"));
        var options = new ConversionOptions { Layout = new GraphLayoutOptions { Attention = AttentionLayout.Unfused, KvCache = KvCachePrecision.Float16Attention } };

        var ex = Assert.Throws<ArgumentException>(() => new PackageBuilder().Convert(temp.Combine("hf"), temp.Combine("pkg"), options));

        Assert.Contains("GroupQueryAttention", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Combine("pkg")));
    }

    /// <summary>A 300-token prompt in two runs (260 + 40), then 8 steps teacher-forced on the float32 cache's greedy token.</summary>
    private static (double MaxDelta, int Agree, int Positions) Compare(ChunkGraphRun reference, ChunkGraphRun candidate)
    {
        int[] prompt = new WeightGenerator(5).TokenIds(300, s_spec.VocabSize);
        var pairs = new List<(float[] Expected, float[] Actual)>
        {
            (reference.Append(prompt[..260]), candidate.Append(prompt[..260])),
            (reference.Append(prompt[260..]), candidate.Append(prompt[260..])),
        };
        for (int i = 0; i < 8; i++)
        {
            int next = ArgMax(pairs[^1].Expected);
            pairs.Add((reference.Append(next), candidate.Append(next)));
        }

        double max = pairs.Max(p => p.Expected.Zip(p.Actual, (e, a) => Math.Abs((double)e - a)).Max());
        return (max, pairs.Count(p => ArgMax(p.Expected) == ArgMax(p.Actual)), pairs.Count);
    }

    /// <summary>Per-channel absmax / 127 of the float32 cache after another prompt (seed 6).</summary>
    private static (float[] Keys, float[] Values)[] Calibrate(string float32Package)
    {
        int kv = s_spec.NumKvHeads, hd = s_spec.HeadDim, capacity = 256;
        using var run = new ChunkGraphRun(float32Package, TensorElementType.Float, capacity);
        run.Append(new WeightGenerator(6).TokenIds(capacity, s_spec.VocabSize));
        return Enumerable.Range(0, s_spec.NumLayers).Select(layer =>
        {
            var (k, v) = run.Caches(layer);
            return (Scales(k, kv, capacity, hd), Scales(v, kv, capacity, hd));
        }).ToArray();
    }

    private static float[] Scales(float[] cache, int kv, int capacity, int hd)
    {
        var scales = new float[kv * hd];
        for (int h = 0; h < kv; h++)
        {
            for (int p = 0; p < capacity; p++)
            {
                for (int c = 0; c < hd; c++)
                {
                    scales[(h * hd) + c] = Math.Max(scales[(h * hd) + c], Math.Abs(cache[(((h * capacity) + p) * hd) + c]) / 127f);
                }
            }
        }

        return scales;
    }

    private static string Convert(TempFolder temp, KvCachePrecision precision)
    {
        string hf = temp.Combine("hf");
        if (!Directory.Exists(hf))
        {
            TinyModel.Create(s_spec).WriteCheckpoint(hf);
        }

        string package = temp.Combine("pkg-" + precision);
        new PackageBuilder().Convert(hf, package, new ConversionOptions { Layout = GraphLayoutOptions.Default with { KvCache = precision } });
        return package;
    }

    private static string ShippedModel()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(repo.FullName, "models", "edgeinfinite-tiny")))
        {
            repo = repo.Parent ?? throw new DirectoryNotFoundException("models/edgeinfinite-tiny not found above the test assembly");
        }

        return Path.Combine(repo.FullName, "models", "edgeinfinite-tiny");
    }

    private static GraphProto ChunkGraph(string package) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(package, "edgeinfinite.onnx"))).Graph;

    private static int ArgMax(float[] logits) => TensorPrimitives.IndexOfMax<float>(logits);
}
