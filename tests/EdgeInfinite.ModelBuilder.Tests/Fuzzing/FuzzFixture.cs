using System.Diagnostics;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests.Fuzzing;

/// <summary>
/// The valid inputs the fuzz cases mutate (a checkpoint, a sharded checkpoint, a package, a long-route snapshot with
/// memory) and two canaries outside every folder a case works in: a file whose secret content must never appear in an
/// error, and a FIFO that blocks whoever opens it, so any read outside the folder shows up as a hung case.
/// </summary>
public sealed class FuzzFixture : IDisposable
{
    /// <summary>The canary file's content.</summary>
    public const string Secret = "canary-secret-5d1e9c";

    private readonly TempFolder _root = new();
    private int _next;

    public FuzzFixture()
    {
        Canary = _root.Combine("canary.txt");
        File.WriteAllText(Canary, Secret);
        CanaryFifo = _root.Combine("canary.fifo");
        using (var mkfifo = Process.Start("mkfifo", CanaryFifo))
        {
            mkfifo.WaitForExit();
        }

        Model = TinyModel.Create(FamilyCases.Mistral.Spec);
        Checkpoint = _root.Combine("hf");
        CheckpointFolder.Write(Checkpoint, HfConfigJson.Create(Model.Spec), HfTensorLayout.Tensors(Model), sharded: false);
        ShardedCheckpoint = _root.Combine("hf-sharded");
        CheckpointFolder.Write(ShardedCheckpoint, HfConfigJson.Create(Model.Spec), HfTensorLayout.Tensors(Model), sharded: true);
        Package = _root.Combine("package");
        new PackageBuilder().Convert(Checkpoint, Package, new ConversionOptions
        {
            LongRoute = new LongRouteSettings { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 },
        });
        using var model = EdgeInfiniteModel.Load(Package);
        using var state = model.CreateState(Route.Long, 0);
        state.Append(Enumerable.Range(0, 100).Select(i => (i * 7) % Model.Spec.VocabSize).ToArray());
        using var snapshot = new MemoryStream();
        state.Save(snapshot);
        Snapshot = snapshot.ToArray();
        TokenizerFolder = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");
    }

    public TinyModel Model { get; }

    public string Canary { get; }

    public string CanaryFifo { get; }

    public string Checkpoint { get; }

    public string ShardedCheckpoint { get; }

    public string Package { get; }

    public byte[] Snapshot { get; }

    public string TokenizerFolder { get; }

    /// <summary>A fresh copy of a flat folder for one case, inside the work area (never next to the canaries' names).</summary>
    public string Copy(string source)
    {
        string target = _root.Combine("work", Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture), "in");
        Directory.CreateDirectory(target);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }

    /// <summary>An empty output parent folder for one case.</summary>
    public string OutputParent() => Directory.CreateDirectory(_root.Combine("work", Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture), "out")).FullName;

    public void Dispose() => _root.Dispose();
}
