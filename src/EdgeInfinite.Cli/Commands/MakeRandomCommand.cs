using System.CommandLine;
using EdgeInfinite.ModelBuilder.Checkpoints;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite make-random &lt;dir&gt; --preset qwen2.5-0.5b-4l|tiny</c>: a Hugging Face-style checkpoint with random weights (for benchmarks and tests).</summary>
internal static class MakeRandomCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Argument<DirectoryInfo>("dir") { Description = "Checkpoint folder to create (config.json + model.safetensors, float32)." };
        var preset = new Option<string>("--preset") { Description = $"Shapes: {string.Join(" | ", RandomCheckpointSpec.PresetNames)}.", Required = true };
        preset.AcceptOnlyFromAmong([.. RandomCheckpointSpec.PresetNames]);
        var layers = new Option<int?>("--layers") { Description = "Number of layers (default: the preset's)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random weights (same seed, same bytes).", DefaultValueFactory = _ => 0 };
        var maxPositions = new Option<int?>("--max-positions") { Description = "max_position_embeddings written into config.json (default: the preset's)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing folder." };
        var command = new Command("make-random", "Write a Hugging Face-style checkpoint with random weights N(0, 0.02) and a preset's shapes.")
        {
            output, preset, layers, seed, maxPositions, overwrite,
        };
        command.SetAction((parse, ct) =>
        {
            var spec = RandomCheckpointSpec.FromPreset(parse.GetValue(preset)!);
            if (parse.GetValue(layers) is { } n)
            {
                spec = spec with { NumLayers = n > 0 ? n : throw new CliUsageException($"--layers must be positive (got {n}).") };
            }

            if (parse.GetValue(maxPositions) is { } p)
            {
                spec = spec with { MaxPositionEmbeddings = p > 0 ? p : throw new CliUsageException($"--max-positions must be positive (got {p}).") };
            }

            string target = parse.GetValue(output)!.FullName;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                RandomCheckpoint.Write(target, spec, parse.GetValue(seed), parse.GetValue(overwrite), new SyncProgress<double>(f => bar.Report("writing weights", f)), ct);
            }

            stdout.WriteLine($"wrote {target} ({spec.ModelType}, {spec.NumLayers} layers, {spec.ParameterCount:N0} parameters, seed {parse.GetValue(seed)})");
            return Task.FromResult(0);
        });
        return command;
    }
}
