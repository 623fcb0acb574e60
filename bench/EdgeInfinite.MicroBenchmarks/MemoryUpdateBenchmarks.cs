using BenchmarkDotNet.Attributes;
using EdgeInfinite.Onnx.LongRoute;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.MicroBenchmarks;

/// <summary>One memory write of a segment (L tokens) for one layer and KV head, at a realistic head size.</summary>
[MemoryDiagnoser]
public class MemoryUpdateBenchmarks
{
    private CompressiveMemory _memory = null!;
    private float[] _keys = [];
    private float[] _values = [];

    [Params(MemoryUpdateRule.Delta, MemoryUpdateRule.Linear)]
    public MemoryUpdateRule Rule { get; set; }

    [Params(64, 128)]
    public int HeadDim { get; set; }

    [Params(256)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var architecture = new ModelArchitecture
        {
            Family = ModelFamily.Qwen2, VocabSize = 1, HiddenSize = 14 * HeadDim, IntermediateSize = 1, NumLayers = 1, NumHeads = 14, NumKvHeads = 2,
            HeadDim = HeadDim, RmsNormEps = 1e-6, RopeTheta = 1e6, MaxPositionEmbeddings = 32768, TieWordEmbeddings = true,
        };
        _memory = new CompressiveMemory(architecture, new LongRouteSettings { UpdateRule = Rule, Epsilon = 1e-6 });
        var random = new Random(1);
        _keys = Enumerable.Range(0, Tokens * HeadDim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        _values = Enumerable.Range(0, Tokens * HeadDim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => _memory.Dispose();

    [Benchmark]
    public void WriteSegment() => _memory.Write(0, 0, _keys, _values, Tokens);
}
