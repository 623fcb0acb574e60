using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>Converts each fixture checkpoint once per test run and precision (and accuracy level) into a temporary folder.</summary>
public sealed class QuantizedPackages : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-quant-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _packages = [];
    private readonly object _gate = new();

    public string Get(string arch, WeightSettings weights, LongRouteSettings? longRoute = null, GraphLayoutOptions? layout = null)
    {
        layout ??= GraphLayoutOptions.Default;
        string key = $"{arch}-{GraphWeightInfo.Name(weights.Precision)}-b{weights.BlockSize}-a{weights.AccuracyLevel}{(longRoute is null ? string.Empty : "-long")}-{layout.Name}";
        lock (_gate)
        {
            if (!_packages.TryGetValue(key, out var dir))
            {
                dir = Path.Combine(_root, key);
                var options = new ConversionOptions { Weights = weights, Layout = layout };
                if (longRoute is not null)
                {
                    options.LongRoute = longRoute;
                }

                new PackageBuilder().Convert(Path.Combine(HfFixture.Root, "hf", arch), dir, options);
                _packages[key] = dir;
            }

            return dir;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
