using EdgeInfinite.ModelBuilder;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>Converts each fixture checkpoint once per test run into a temporary folder.</summary>
public sealed class ConvertedPackages : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-tests-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string> _packages = [];
    private readonly object _gate = new();

    public string Get(string arch)
    {
        lock (_gate)
        {
            if (!_packages.TryGetValue(arch, out var dir))
            {
                dir = Path.Combine(_root, arch);
                new PackageBuilder().Convert(Path.Combine(HfFixture.Root, "hf", arch), dir);
                _packages[arch] = dir;
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
