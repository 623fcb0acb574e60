using System.CommandLine;
using System.Globalization;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Onnx.Tokenization;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Cli.Commands;

/// <summary>
/// <c>edgeinfinite-train train-gates &lt;package-dir&gt; -o &lt;new-package-dir&gt; --steps N</c>: fine-tunes the memory gates
/// (everything else frozen) on the long route and writes them into a copy of the package.
/// </summary>
internal static class TrainGatesCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var defaults = new GateTrainingOptions();
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package whose gates to train (left untouched)." };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "New package folder with the trained gates.", Required = true };
        var steps = new Option<int>("--steps") { Description = "Optimizer steps (a resumed run continues up to this number).", Required = true };
        var lr = new Option<double>("--lr") { Description = "AdamW learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
        var seqLen = new Option<int?>("--seq-len") { Description = "Tokens per training sequence, rounded up to S + k·L (default: 2·(W/L + 2) segments)." };
        var batch = new Option<int>("--batch") { Description = "Sequences per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var detach = new Option<int>("--detach-every") { Description = "Back-propagate through this many segments, then detach cache and memory (0: whole sequence).", DefaultValueFactory = _ => defaults.DetachEverySegments };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic training data.", DefaultValueFactory = _ => defaults.Seed };
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Checkpoint file (gates, optimizer state, step), written periodically, at the end and on Ctrl+C." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Steps between checkpoints.", DefaultValueFactory = _ => defaults.CheckpointEvery };
        var resume = new Option<bool>("--resume") { Description = "Continue from --checkpoint when it exists." };
        var threads = new Option<int?>("--threads") { Description = "TorchSharp CPU threads (default: TorchSharp's choice)." };
        var dataText = new Option<FileInfo?>("--data") { Description = "Train on this text file, tokenized with the package's tokenizer (the last tenth is held out)." };
        var dataIds = new Option<FileInfo?>("--data-ids") { Description = "Train on this file of token ids separated by commas or whitespace (the last tenth is held out)." };
        var command = new Command("train-gates", "Train the memory gates of a package on the long route and write them into a new package.")
        {
            package, output, steps, lr, seqLen, batch, detach, seed, checkpoint, checkpointEvery, resume, threads, dataText, dataIds,
        };
        command.SetAction((parse, ct) =>
        {
            string source = parse.GetValue(package)!.FullName;
            string target = parse.GetValue(output)!.FullName;
            var config = ModelPackage.Open(source).Config;
            var settings = config.LongRoute;
            int? segments = parse.GetValue(seqLen) is { } tokens ? SegmentsFor(tokens, settings) : null;
            if (parse.GetValue(resume) && parse.GetValue(checkpoint) is null)
            {
                throw new CliUsageException("--resume needs --checkpoint FILE");
            }

            var options = new GateTrainingOptions
            {
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(lr),
                SegmentsPerSequence = segments,
                BatchSize = parse.GetValue(batch),
                DetachEverySegments = parse.GetValue(detach),
                Seed = parse.GetValue(seed),
                CheckpointPath = parse.GetValue(checkpoint)?.FullName,
                CheckpointEvery = parse.GetValue(checkpointEvery),
                Resume = parse.GetValue(resume),
                Threads = parse.GetValue(threads),
                Data = LoadData(source, config.Architecture.VocabSize, parse.GetValue(dataText), parse.GetValue(dataIds), parse.GetValue(seed), out string dataDescription),
            };
            var trainer = new GateTrainer(options);
            var (k, length) = GateTrainer.SequenceShape(settings, segments);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"train-gates: {options.Steps} steps of {options.BatchSize} sequences × {length} tokens ({k} segments, S={settings.SinkTokens} W={settings.WindowTokens} L={settings.SegmentTokens}), lr {options.LearningRate}, data: {dataDescription}"));
            GateTrainingResult result;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                result = trainer.Train(source, target, new SyncProgress<TrainingProgress>(p =>
                    bar.Report(string.Create(CultureInfo.InvariantCulture, $"step {p.Step}/{p.TotalSteps} loss {p.Loss:F4}"), p.Fraction)), ct);
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {result.OutputPackage} ({result.TrainableParameters} gate values trained, steps {result.StartStep + 1}..{result.Losses.Count}, last loss {(result.Losses.Count > 0 ? result.Losses[^1] : double.NaN):F4}, {result.MeanStepTime.TotalMilliseconds:F0} ms/step)"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out loss: memory off {result.HeldOutLossMemoryOff:F4}, before {result.HeldOutLossBefore:F4}, after {result.HeldOutLossAfter:F4}"));
            return Task.FromResult(0);
        });
        return command;
    }

    private static TokenStreamData? LoadData(string package, int vocab, FileInfo? text, FileInfo? ids, int seed, out string description)
    {
        if (text is not null && ids is not null)
        {
            throw new CliUsageException("give at most one of --data and --data-ids");
        }

        if (text is null && ids is null)
        {
            description = "synthetic repeated spans";
            return null;
        }

        var file = (text ?? ids)!;
        if (!file.Exists)
        {
            throw new FileNotFoundException($"training data file '{file.FullName}' does not exist", file.FullName);
        }

        int[] stream;
        if (ids is not null)
        {
            using var reader = new StreamReader(file.FullName);
            stream = TokenIdParser.Parse(reader, file.FullName, vocab);
        }
        else
        {
            using var tokenizer = new EdgeInfiniteTokenizer(package);
            stream = tokenizer.Encode(File.ReadAllText(file.FullName));
        }

        description = string.Create(CultureInfo.InvariantCulture, $"{file.Name}, {stream.Length:N0} tokens");
        return new TokenStreamData(stream, seed);
    }

    /// <summary>Whole segments after the sink that cover <paramref name="tokens"/>.</summary>
    private static int SegmentsFor(int tokens, LongRouteSettings settings)
    {
        if (tokens <= settings.SinkTokens)
        {
            throw new CliUsageException($"--seq-len {tokens} must exceed the package's sink of {settings.SinkTokens} tokens (and S + W + L = {settings.SinkTokens + settings.WindowTokens + settings.SegmentTokens} for memory to be read)");
        }

        return (tokens - settings.SinkTokens + settings.SegmentTokens - 1) / settings.SegmentTokens;
    }
}
