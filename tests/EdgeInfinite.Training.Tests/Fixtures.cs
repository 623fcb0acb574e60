using System.Text.Json;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Training.Tests;

/// <summary>The transformers fixtures, converted once per test class into temporary packages (plain and with random gates).</summary>
public sealed class Fixtures : IDisposable
{
    /// <summary>Small S/W/L so that short streams cross many evictions and memory writes.</summary>
    public static readonly LongRouteSettings Settings = new() { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };

    private readonly Dictionary<string, string> _packages = [];
    private readonly object _gate = new();

    /// <summary>
    /// One TorchSharp thread: the test assemblies run side by side on a small machine, where oversubscribed OpenMP
    /// threads are many times slower than one.
    /// </summary>
    public Fixtures() => TorchSharp.torch.set_num_threads(1);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "edgeinfinite-training-tests-" + Guid.NewGuid().ToString("N"));

    public static string CheckpointDir(string arch) => Path.Combine(AppContext.BaseDirectory, "fixtures", "hf", arch);

    public static int[] LongPromptIds(string arch)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(CheckpointDir(arch), "reference.json")));
        return doc.RootElement.GetProperty("long_prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }

    public static TransformerWeights CheckpointWeights(string arch) => TransformerWeightsReader.Read(HfCheckpoint.Open(CheckpointDir(arch)));

    /// <summary>Random gates (seeded), large enough that memory visibly changes the logits.</summary>
    public static (float[][] W, float[][] B) RandomGates(ModelArchitecture a, int seed = 1234) => RandomMemoryGates.Create(a, seed);

    /// <summary>The converted package (untrained gates).</summary>
    public string Package(string arch, MemoryUpdateRule rule = MemoryUpdateRule.Delta, MemoryFeatureMap features = MemoryFeatureMap.EluPlusOne, double featureScale = ExponentialFeatures.DefaultScale)
    {
        lock (_gate)
        {
            string key = $"{arch}-{rule}-{features}-{featureScale}";
            if (!_packages.TryGetValue(key, out var dir))
            {
                dir = Path.Combine(Root, key);
                new PackageBuilder().Convert(CheckpointDir(arch), dir, new ConversionOptions { LongRoute = Settings with { UpdateRule = rule, FeatureMap = features, FeatureScale = featureScale } });
                _packages[key] = dir;
            }

            return dir;
        }
    }

    /// <summary>A copy of the package with <see cref="RandomGates"/> (gatesTrained = true).</summary>
    public (string Package, float[][] W, float[][] B) GatedPackage(string arch, MemoryUpdateRule rule = MemoryUpdateRule.Delta, MemoryFeatureMap features = MemoryFeatureMap.EluPlusOne, double featureScale = ExponentialFeatures.DefaultScale)
    {
        string source = Package(arch, rule, features, featureScale);
        var (w, b) = RandomGates(ModelPackage.Open(source).Config.Architecture);
        lock (_gate)
        {
            string key = $"{arch}-{rule}-{features}-{featureScale}-gated";
            if (!_packages.TryGetValue(key, out var dir))
            {
                dir = Path.Combine(Root, key);
                PackageGates.WriteCopy(source, dir, w, b);
                _packages[key] = dir;
            }

            return (dir, w, b);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
