using System.CommandLine;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite quantize &lt;package-dir&gt; -o &lt;new-package-dir&gt; --precision int8|int4</c>: a quantized copy; the source is untouched.</summary>
internal static class QuantizeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new Argument<DirectoryInfo>("package-dir") { Description = "The float32 package (trained gates, tokenizer, templates and model card are carried over)." };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Package folder to create.", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing package folder." };
        var precision = PrecisionOptions.Precision(required: true);
        var blockSize = PrecisionOptions.BlockSize();
        var accuracyLevel = PrecisionOptions.AccuracyLevel();
        var command = new Command("quantize", "Write an int8 or int4 copy of a float32 package (the source is not modified).")
        {
            source, output, overwrite, precision, blockSize, accuracyLevel,
        };
        command.SetAction(parse =>
        {
            var weights = PrecisionOptions.Read(parse, precision, blockSize, accuracyLevel);
            if (!weights.IsQuantized)
            {
                throw new ArgumentException("quantize writes int8 or int4 packages; --precision fp32 is what the source already is.");
            }

            string target = parse.GetValue(output)!.FullName;
            PackageConfig config;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                config = PackageQuantizer.Quantize(parse.GetValue(source)!.FullName, target, weights, parse.GetValue(overwrite), new SyncProgress<ConversionProgress>(p => bar.Report(p.Stage, p.Fraction)));
            }

            long bytes = new DirectoryInfo(target).EnumerateFiles().Sum(f => f.Length);
            stdout.WriteLine($"wrote {target} (weights {GraphWeightInfo.Describe(config.Weights)}, {bytes:N0} bytes)");
            return 0;
        });
        return command;
    }
}
