using System.CommandLine;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite convert &lt;hf-dir&gt; -o &lt;package-dir&gt;</c>.</summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new Argument<DirectoryInfo>("hf-dir") { Description = "Hugging Face checkpoint folder (config.json, *.safetensors, tokenizer files)." };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Package folder to create.", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing package folder." };
        var defaults = new LongRouteSettings();
        var sink = new Option<int>("--sink") { Description = "Sink tokens S kept raw forever.", DefaultValueFactory = _ => defaults.SinkTokens };
        var window = new Option<int>("--window") { Description = "Window tokens W kept raw.", DefaultValueFactory = _ => defaults.WindowTokens };
        var segment = new Option<int>("--segment") { Description = "Segment length L.", DefaultValueFactory = _ => defaults.SegmentTokens };
        var threshold = new Option<int?>("--threshold") { Description = "Route threshold in tokens (default: min(4096, max positions))." };
        var rule = new Option<MemoryUpdateRule>("--update-rule") { Description = "Memory update rule.", DefaultValueFactory = _ => defaults.UpdateRule };
        var featureMap = new Option<MemoryFeatureMap>("--feature-map") { Description = "Feature map of the memory's queries and keys: EluPlusOne, L2Normalized or Exponential.", DefaultValueFactory = _ => defaults.FeatureMap };
        var featureScale = new Option<double>("--feature-scale") { Description = "Scale β of the exponential feature map, σ(x) = exp(min(β·x, 30)).", DefaultValueFactory = _ => defaults.FeatureScale };
        var maxPositions = new Option<int?>("--max-positions") { Description = "Positions covered by the rotary caches (default: max_position_embeddings)." };

        var command = new Command("convert", "Convert a Hugging Face checkpoint into an EdgeInfinite model package.")
        {
            source, output, overwrite, sink, window, segment, threshold, rule, featureMap, featureScale, maxPositions,
        };
        command.SetAction((parse, ct) =>
        {
            var options = new ConversionOptions
            {
                Overwrite = parse.GetValue(overwrite),
                MaxPositions = parse.GetValue(maxPositions),
                LongRoute = new LongRouteSettings
                {
                    SinkTokens = parse.GetValue(sink),
                    WindowTokens = parse.GetValue(window),
                    SegmentTokens = parse.GetValue(segment),
                    RouteThreshold = parse.GetValue(threshold) ?? defaults.RouteThreshold,
                    UpdateRule = parse.GetValue(rule),
                    FeatureMap = parse.GetValue(featureMap),
                    FeatureScale = parse.GetValue(featureScale),
                },
            };
            string target = parse.GetValue(output)!.FullName;
            PackageConfig config;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                config = new PackageBuilder().Convert(parse.GetValue(source)!.FullName, target, options, new SyncProgress<ConversionProgress>(p => bar.Report(p.Stage, p.Fraction)), ct);
            }

            stdout.WriteLine($"wrote {target} ({config.Architecture.Family}, {config.Architecture.NumLayers} layers, vocab {config.Architecture.VocabSize})");
            return Task.FromResult(0);
        });
        return command;
    }
}
