using System.Globalization;
using System.Runtime.InteropServices;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder;

/// <summary>
/// Reads and writes the memory-gate parameters of a package (per layer <c>w</c> <c>[hidden, heads]</c> and
/// <c>b</c> <c>[heads]</c>), which live in the shared weights file at the offsets the chunk graph names.
/// </summary>
public static class PackageGates
{
    /// <summary>Gets the gate weight initializer name of a layer.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>The name.</returns>
    public static string WeightName(int layer) => string.Create(CultureInfo.InvariantCulture, $"model.layers.{layer}.memory_gate.weight");

    /// <summary>Gets the gate bias initializer name of a layer.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>The name.</returns>
    public static string BiasName(int layer) => string.Create(CultureInfo.InvariantCulture, $"model.layers.{layer}.memory_gate.bias");

    /// <summary>Copies a package and replaces the gate parameters in the copy; the source is untouched.</summary>
    /// <param name="sourcePackage">The package to copy.</param>
    /// <param name="targetPackage">The new package folder (must not exist).</param>
    /// <param name="weights">Per layer, <c>w</c> row-major <c>[hidden, heads]</c>.</param>
    /// <param name="biases">Per layer, <c>b</c> <c>[heads]</c>.</param>
    public static void WriteCopy(string sourcePackage, string targetPackage, IReadOnlyList<float[]> weights, IReadOnlyList<float[]> biases)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        var package = ModelPackage.Open(sourcePackage);
        var a = package.Config.Architecture;
        if (weights.Count != a.NumLayers || biases.Count != a.NumLayers)
        {
            throw new ArgumentException($"Expected gate parameters for {a.NumLayers} layers.", nameof(weights));
        }

        if (Directory.Exists(targetPackage) || File.Exists(targetPackage))
        {
            throw new IOException($"Output '{targetPackage}' already exists.");
        }

        var ranges = Ranges(package, new FileInfo(Path.Combine(package.Directory, package.Config.Files.Weights)).Length);
        string staging = targetPackage + ".partial-" + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(staging);
        try
        {
            foreach (var file in Directory.EnumerateFiles(package.Directory))
            {
                File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
            }

            using (var data = new FileStream(Path.Combine(staging, package.Config.Files.Weights), FileMode.Open, FileAccess.Write))
            {
                for (int i = 0; i < a.NumLayers; i++)
                {
                    Patch(data, Range(ranges, WeightName(i), package.ChunkGraphPath, a.HiddenSize * a.NumHeads), weights[i], a.HiddenSize * a.NumHeads, WeightName(i));
                    Patch(data, Range(ranges, BiasName(i), package.ChunkGraphPath, a.NumHeads), biases[i], a.NumHeads, BiasName(i));
                }
            }

            // A new revision: states saved against the old gates must not be restored against these.
            var config = package.Config with { LongRoute = package.Config.LongRoute with { GatesTrained = true }, Revision = Guid.NewGuid().ToString("N") };
            File.WriteAllText(Path.Combine(staging, PackageConfig.FileName), config.ToJson());
            Directory.Move(staging, targetPackage);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static Dictionary<string, (long Offset, long Length)> Ranges(ModelPackage package, long dataLength)
    {
        var model = ChunkGraphFile.Read(package.ChunkGraphPath);
        var result = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        foreach (var t in model.Graph.Initializer.Where(t => t.Name.Contains(".memory_gate.", StringComparison.Ordinal)))
        {
            result[t.Name] = ExternalDataLocation.Of(t, package.ChunkGraphPath, dataLength);
        }

        return result;
    }

    private static (long Offset, long Length) Range(Dictionary<string, (long Offset, long Length)> ranges, string name, string graphPath, int values)
    {
        if (!ranges.TryGetValue(name, out var range))
        {
            throw new InvalidDataException($"'{graphPath}' has no initializer '{name}' (the package has no memory gates to replace).");
        }

        return range.Length == values * (long)sizeof(float)
            ? range
            : throw new InvalidDataException($"Initializer '{name}' of '{graphPath}' has {range.Length} bytes of external data; the config's shape needs {values * (long)sizeof(float)}.");
    }

    private static void Patch(FileStream data, (long Offset, long Length) range, float[] values, int expected, string name)
    {
        if (values.Length != expected || range.Length != expected * sizeof(float))
        {
            throw new ArgumentException($"Gate tensor '{name}' needs {expected} values; got {values.Length}.", nameof(values));
        }

        data.Seek(range.Offset, SeekOrigin.Begin);
        data.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
