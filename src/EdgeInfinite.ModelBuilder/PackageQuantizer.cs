using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder;

/// <summary>
/// Writes a quantized copy of a float32 package: the same weights block-quantized (docs/quantization.md), the trained
/// gates, tokenizer, templates, model card and every other file carried over; the source package is not modified.
/// With <see cref="WeightSettings.Float32"/> it writes the same float32 weights with graphs rebuilt by this version
/// (what <c>edgeinfinite upgrade</c> runs).
/// </summary>
public static class PackageQuantizer
{
    /// <summary>Quantizes a package into a new folder (written into a hidden sibling, moved into place when complete).</summary>
    /// <param name="sourcePackage">The float32 package.</param>
    /// <param name="targetPackage">The package folder to create.</param>
    /// <param name="weights">The precision, block size and accuracy level.</param>
    /// <param name="overwrite">Whether an existing target folder is replaced.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="cancellationToken">Cancels (nothing is left behind).</param>
    /// <returns>The new package's config.</returns>
    /// <exception cref="ArgumentException">The target is the source, or the source is already quantized.</exception>
    /// <exception cref="IOException">The target exists and <paramref name="overwrite"/> is not set.</exception>
    /// <exception cref="InvalidDataException">The source is damaged, or a dimension is not a multiple of the block size; the message names the file and field.</exception>
    public static PackageConfig Quantize(string sourcePackage, string targetPackage, WeightSettings weights, bool overwrite = false, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePackage);
        ArgumentException.ThrowIfNullOrEmpty(targetPackage);
        ArgumentNullException.ThrowIfNull(weights);
        string source = Path.GetFullPath(sourcePackage);
        string target = Path.GetFullPath(targetPackage);
        if (string.Equals(source.TrimEnd(Path.DirectorySeparatorChar), target.TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal))
        {
            throw new ArgumentException($"The quantized package must go into a new folder, not into its source '{source}'.", nameof(targetPackage));
        }

        if ((File.Exists(target) || Directory.Exists(target)) && !overwrite)
        {
            throw new IOException($"Output '{target}' already exists; choose another folder or allow overwriting.");
        }

        var package = ModelPackage.Open(source);
        if (package.Config.Weights.IsQuantized)
        {
            throw new ArgumentException($"'{Path.Combine(source, PackageConfig.FileName)}': weights.precision is already {GraphWeightInfo.Describe(package.Config.Weights)}; quantize the float32 package instead (a second rounding would add to the first).", nameof(sourcePackage));
        }

        var config = package.Config with { FormatVersion = PackageConfig.CurrentFormatVersion, Weights = weights, Revision = Guid.NewGuid().ToString("N") };
        config.Validate(Path.Combine(target, PackageConfig.FileName));

        progress?.Report(new ConversionProgress("reading package", 0));
        var read = PackageWeightsReader.Read(source);
        cancellationToken.ThrowIfCancellationRequested();
        string parent = Path.GetDirectoryName(target) ?? ".";
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var rewritten = new HashSet<string>(StringComparer.Ordinal) { config.Files.ChunkGraph, config.Files.DecoderGraph, config.Files.Weights, PackageConfig.FileName };
            foreach (var file in Directory.EnumerateFiles(source).Where(f => !rewritten.Contains(Path.GetFileName(f))))
            {
                File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
            }

            PackageBuilder.WriteGraphs(read.Weights, config, GraphLayoutOptions.Default, staging, progress, cancellationToken, (read.GateWeights, read.GateBiases));
            File.WriteAllText(Path.Combine(staging, PackageConfig.FileName), config.ToJson());
            cancellationToken.ThrowIfCancellationRequested();
            PackageBuilder.Publish(staging, target);
            progress?.Report(new ConversionProgress("done", 1));
            return config;
        }
        catch
        {
            PackageBuilder.TryDelete(staging);
            throw;
        }
    }
}
