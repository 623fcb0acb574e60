using System.Runtime.InteropServices;
using System.Text.Json;

namespace EdgeInfinite.Cli.Tests;

/// <summary>A scratch folder and the transformers fixtures; packages are converted through the CLI itself.</summary>
public sealed class CliFixture : IDisposable
{
    private readonly Dictionary<string, string> _packages = [];
    private readonly object _gate = new();

    public CliFixture() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "edgeinfinite-cli-tests-" + Guid.NewGuid().ToString("N"));

    public static string FixtureDir(string arch) => Path.Combine(AppContext.BaseDirectory, "fixtures", "hf", arch);

    public static int[] ReferenceIds(string arch, string field)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(FixtureDir(arch), "reference.json")));
        return doc.RootElement.GetProperty(field).EnumerateArray().Select(e => e.GetInt32()).ToArray();
    }

    public static float[] ReadF32(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    public string Package(string arch)
    {
        lock (_gate)
        {
            if (!_packages.TryGetValue(arch, out var dir))
            {
                dir = Path.Combine(Root, "pkg-" + arch);
                var run = CliRun.Invoke("convert", FixtureDir(arch), "-o", dir);
                Assert.True(run.ExitCode == 0, run.Stderr);
                _packages[arch] = dir;
            }

            return dir;
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
