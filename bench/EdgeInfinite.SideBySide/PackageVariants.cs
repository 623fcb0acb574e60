using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// The EdgeInfinite packages of one checkpoint at each weight precision: float32 converted from the checkpoint, int8
/// and int4 quantized from that package by the library's quantizer; each written once per work folder.
/// </summary>
internal static class PackageVariants
{
    /// <summary>The precisions the app accepts, in table order.</summary>
    public static readonly string[] Precisions = ["fp32", "int8", "int4"];

    /// <summary>Returns the package folder for a precision, converting it if missing.</summary>
    /// <param name="checkpoint">The Hugging Face checkpoint, or <see langword="null"/> when a ready package is measured.</param>
    /// <param name="readyPackage">A ready (float32) package, or <see langword="null"/>.</param>
    /// <param name="work">The work folder.</param>
    /// <param name="precision">fp32, int8 or int4.</param>
    /// <param name="settings">The long-route settings for conversion.</param>
    /// <param name="maxPositions">The positions for conversion, or <see langword="null"/> for the checkpoint's.</param>
    public static string Ensure(string? checkpoint, string? readyPackage, string work, string precision, LongRouteSettings settings, int? maxPositions)
    {
        if (!Precisions.Contains(precision))
        {
            throw new ArgumentException($"unknown precision '{precision}' (fp32, int8, int4)");
        }

        string fp32 = readyPackage ?? Path.Combine(work, "package");
        if (!Directory.Exists(fp32))
        {
            new PackageBuilder().Convert(checkpoint!, fp32, new ConversionOptions { LongRoute = settings, MaxPositions = maxPositions });
        }

        if (precision == "fp32")
        {
            return fp32;
        }

        string quantized = Path.Combine(work, "package-" + precision);
        if (!Directory.Exists(quantized))
        {
            Quantize(fp32, quantized, precision);
        }

        return quantized;
    }

    /// <summary>Gets the bytes of every file in a folder (what the engine maps or reads).</summary>
    public static long FolderBytes(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    // The library's quantize path (what `edgeinfinite quantize` runs), with its default block size and accuracy level.
    private static void Quantize(string source, string target, string precision)
    {
        Console.Error.WriteLine($"side-by-side: quantizing {source} to {precision} ...");
        PackageQuantizer.Quantize(source, target, WeightSettings.For(WeightSettings.ParsePrecision(precision)));
    }
}
