using BenchmarkDotNet.Attributes;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.MicroBenchmarks;

/// <summary>
/// One decode step (short route, 64 tokens of context) of a random model with Qwen2.5-0.5B's shapes and 4 layers
/// (<c>make-random --preset qwen2.5-0.5b-4l</c>, vocabulary 151,936): the baseline that constrained decoding's per-token
/// cost (<see cref="ConstrainedDecodingBenchmarks"/>) is compared with. The package is built once into the temp folder.
/// </summary>
[MemoryDiagnoser]
public class RealisticDecodeBenchmarks
{
    private static readonly string s_root = Path.Combine(Path.GetTempPath(), "edgeinfinite-bench-qwen2.5-0.5b-4l");
    private EdgeInfiniteModel _model = null!;
    private InferenceState _state = null!;

    [GlobalSetup]
    public void Setup()
    {
        string package = Path.Combine(s_root, "package");
        if (!File.Exists(Path.Combine(package, "edgeinfinite.json")))
        {
            string checkpoint = Path.Combine(s_root, "checkpoint");
            RandomCheckpoint.Write(checkpoint, RandomCheckpointSpec.FromPreset(RandomCheckpointSpec.Qwen25HalfBillionFourLayersPreset), seed: 1, overwrite: true);
            new PackageBuilder().Convert(checkpoint, package);
            Directory.Delete(checkpoint, recursive: true);
        }

        _model = EdgeInfiniteModel.Load(package);
    }

    [IterationSetup]
    public void Prefill()
    {
        _state?.Dispose();
        _state = _model.CreateState(Route.Short, 64 + 64);
        _state.Append(Enumerable.Range(0, 64).Select(i => (i * 7919) % 150_000).ToArray());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _state.Dispose();
        _model.Dispose();
    }

    [Benchmark(Description = "decode step (qwen2.5-0.5b-4l shapes)")]
    [InvocationCount(32)]
    public float[] DecodeStep() => _state.AppendOneInPlace(11);
}
