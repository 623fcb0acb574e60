using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks;

/// <summary>Converts one checkpoint once per layout into <c>&lt;work&gt;/pkg-&lt;layout&gt;</c> (kept between runs unless reconverting).</summary>
internal static class LayoutPackages
{
    public static Dictionary<string, string> Ensure(string model, IEnumerable<string> layouts, string work, int maxPositions, bool reconvert)
    {
        Directory.CreateDirectory(work);
        var packages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in layouts)
        {
            string dir = Path.Combine(work, "pkg-" + name);
            packages[name] = dir;
            if (!reconvert && Directory.Exists(dir))
            {
                continue;
            }

            Console.Error.WriteLine($"converting {model} with layout {name} ({LayoutCatalog.Get(name).Name})");
            new PackageBuilder().Convert(model, dir, new ConversionOptions
            {
                Layout = LayoutCatalog.Get(name),
                MaxPositions = maxPositions,
                LongRoute = new LongRouteSettings { RouteThreshold = Math.Min(maxPositions, new LongRouteSettings().RouteThreshold) },
                Overwrite = true,
            });
        }

        return packages;
    }
}
