using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>Converts one checkpoint once per KV cache precision into <c>&lt;work&gt;/pkg-&lt;weights&gt;-kv-&lt;kv&gt;</c> (kept between runs unless reconverting).</summary>
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
}
