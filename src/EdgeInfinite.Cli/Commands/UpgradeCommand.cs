using System.CommandLine;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite upgrade &lt;package-dir&gt; -o &lt;new-package-dir&gt;</c>: a copy of a float32 package whose graphs are
/// written again by this version's builder (the weights, gates, tokenizer and every other file unchanged), so a package
/// made by an earlier version gets what loading now checks: the graph's recorded constants and the guarded gate mix.
/// </summary>
internal static class UpgradeCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new Argument<DirectoryInfo>("package-dir") { Description = "The float32 package to upgrade (not modified)." };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Package folder to create.", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing package folder." };
        var command = new Command("upgrade", "Write a copy of a float32 package with its graphs rebuilt by this version (same weights; recorded graph constants, guarded gate).")
        {
            source, output, overwrite,
        };
        command.SetAction((parse, ct) =>
        {
            string target = parse.GetValue(output)!.FullName;
            PackageConfig config;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                // The package quantizer with float32 settings: the same read, graph writing and publish path.
                config = PackageQuantizer.Quantize(parse.GetValue(source)!.FullName, target, WeightSettings.Float32, parse.GetValue(overwrite), new SyncProgress<ConversionProgress>(p => bar.Report(p.Stage, p.Fraction)), ct);
            }

            stdout.WriteLine($"wrote {target} (format {config.FormatVersion}, revision {config.Revision}, weights {GraphWeightInfo.Describe(config.Weights)})");
            return Task.FromResult(0);
        });
        return command;
    }
}
