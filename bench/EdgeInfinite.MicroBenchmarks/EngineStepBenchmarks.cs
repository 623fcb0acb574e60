using BenchmarkDotNet.Attributes;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.MicroBenchmarks;

/// <summary>
/// One chunk (L tokens) and one decode step on the llama fixture: the long route with trained (random) gates reading
/// a non-empty memory, the long route with memory off (the difference is the memory read + gate + write), and the
/// short route.
/// </summary>
[MemoryDiagnoser]
public class EngineStepBenchmarks
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-micro-" + Guid.NewGuid().ToString("N"));
    private EdgeInfiniteModel _model = null!;
    private InferenceState _state = null!;
    private int[] _chunk = [];
    private int _next;

    [Params("long", "memoff", "short")]
    public string Mode { get; set; } = "long";

    [GlobalSetup]
    public void Setup()
    {
        var settings = new LongRouteSettings { SinkTokens = 4, WindowTokens = 256, SegmentTokens = 64, RouteThreshold = 1024 };
        string source = Path.Combine(AppContext.BaseDirectory, "fixtures", "hf", "llama");
        string basePackage = Path.Combine(_root, "base");
        new PackageBuilder().Convert(source, basePackage, new ConversionOptions { LongRoute = settings });
        var random = new Random(3);
        string gated = Path.Combine(_root, "gated");
        PackageGates.WriteCopy(basePackage, gated,
            [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 64 * 4).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray())],
            [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray())]);
        _model = EdgeInfiniteModel.Load(gated);
        _chunk = Enumerable.Range(0, settings.SegmentTokens).Select(_ => random.Next(384)).ToArray();
    }

    [IterationSetup]
    public void Prefill()
    {
        _state?.Dispose();
        _state = Mode == "short" ? _model.CreateState(Route.Short, 4096) : _model.CreateState(Route.Long, 0, memoryEnabled: Mode == "long");
        var random = new Random(5);
        _state.Append(Enumerable.Range(0, 1028).Select(_ => random.Next(384)).ToArray());
        _next = 7;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _state.Dispose();
        _model.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark]
    [InvocationCount(16)]
    public float[] ChunkStep() => _state.Append(_chunk);

    [Benchmark]
    [InvocationCount(256)]
    public float[] DecodeStep() => _state.AppendOneInPlace(_next);
}
