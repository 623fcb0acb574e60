using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>
/// Converts one checkpoint once per KV cache precision into <c>&lt;work&gt;/pkg-&lt;weights&gt;-kv-&lt;kv&gt;</c> (kept between
/// runs unless reconverting), or rebuilds a float32 package's graphs (trained gates kept) once per precision.
/// </summary>
internal static class KvPackages
{
    public static Dictionary<KvCachePrecision, string> Ensure(string model, IEnumerable<KvCachePrecision> variants, string work, WeightSettings weights, int maxPositions, bool reconvert)
    {
        Directory.CreateDirectory(work);
        var packages = new Dictionary<KvCachePrecision, string>();
        foreach (var precision in variants)
        {
            string dir = Path.Combine(work, $"pkg-{GraphWeightInfo.Name(weights.Precision)}-kv-{KvVariant.Name(precision)}");
            packages[precision] = dir;
            if (!reconvert && Directory.Exists(dir))
            {
                continue;
            }

            Console.Error.WriteLine($"converting {model} with {GraphWeightInfo.Describe(weights)} weights and a {KvVariant.Name(precision)} KV cache");
            new PackageBuilder().Convert(model, dir, new ConversionOptions
            {
                Layout = GraphLayoutOptions.Default with { KvCache = precision },
                Weights = weights,
                MaxPositions = maxPositions,
                LongRoute = new LongRouteSettings { RouteThreshold = Math.Min(maxPositions, new LongRouteSettings().RouteThreshold) },
                Overwrite = true,
            });
        }

        return packages;
    }

    public static Dictionary<KvCachePrecision, string> Rebuild(string package, IEnumerable<KvCachePrecision> variants, string work)
    {
        Directory.CreateDirectory(work);
        var source = ModelPackage.Open(package);
        if (source.Config.Weights.IsQuantized)
        {
            throw new ArgumentException($"'{package}' holds {GraphWeightInfo.Describe(source.Config.Weights)} weights; rebuild a float32 package (its graphs are rewritten from the weights it stores).");
        }

        var read = PackageWeightsReader.Read(package);
        var packages = new Dictionary<KvCachePrecision, string>();
        foreach (var precision in variants)
        {
            string dir = Path.Combine(work, $"{Path.GetFileName(Path.GetFullPath(package).TrimEnd(Path.DirectorySeparatorChar))}-kv-{KvVariant.Name(precision)}");
            packages[precision] = dir;
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.CreateDirectory(dir);
            var files = source.Config.Files;
            foreach (string file in Directory.EnumerateFiles(source.Directory).Where(f => Path.GetFileName(f) is var n && n != files.ChunkGraph && n != files.DecoderGraph && n != files.Weights))
            {
                File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
            }

            Console.Error.WriteLine($"rebuilding {package}'s graphs with a {KvVariant.Name(precision)} KV cache");
            PackageBuilder.WriteGraphs(read.Weights, source.Config, GraphLayoutOptions.Default with { KvCache = precision }, dir, null, CancellationToken.None, (read.GateWeights, read.GateBiases));
        }

        return packages;
    }
}
