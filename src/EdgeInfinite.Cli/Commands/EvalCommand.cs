using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Onnx;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite eval recall &lt;package-dir&gt; --lengths 2k,8k,32k,128k --trials N [--suite corpus|heldout]
/// [--seed S | --seed-set dev|report] [--depths 0.1,0.5,0.9] [--modes long,memoff,short] [--json FILE]</c>: needle and
/// fact recall per length and depth in three modes; a Markdown table with Wilson 95% intervals on stdout, progress on
/// stderr, and with <c>--json</c> the run cells as
/// <c>[{suite, seed, mode, length, depth, trials, correct, accuracy, ci95Low, ci95High, meanLogProb}]</c> (short-route
/// cells over the package's max positions are shown as n/a in the table and left out of the JSON). The held-out suite
/// takes its seed from a seed set; <c>--seed</c> there picks another development seed and may not be the report seed.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("eval", "Evaluate a package.");
        command.Subcommands.Add(CreateRecall(stdout, stderr));
        command.Subcommands.Add(EvalLossCommand.Create(stdout, stderr));
        command.Subcommands.Add(EvalMemoryShareCommand.Create(stdout));
        return command;
    }

    internal static IReadOnlyList<double> ParseDepths(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(d =>
            double.TryParse(d, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v <= 1
                ? v
                : throw new CliUsageException($"--depths: '{d}' is not a fraction in 0..1")).Distinct().ToArray() is { Length: > 0 } depths
            ? depths
            : throw new CliUsageException("--depths: give at least one depth");

    private static Command CreateRecall(TextWriter stdout, TextWriter stderr)
    {
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package folder (with a tokenizer)." };
        var lengths = new Option<string>("--lengths") { Description = "Comma-separated context lengths in tokens (2k = 2000).", DefaultValueFactory = _ => "2k,8k" };
        var depths = new Option<string>("--depths") { Description = "Comma-separated fact depths, fractions of the filler.", DefaultValueFactory = _ => "0.1,0.5,0.9" };
        var modes = new Option<string>("--modes") { Description = "Comma-separated modes: long (memory on), memoff (sink + window), short (full attention).", DefaultValueFactory = _ => "long,memoff,short" };
        var trials = new Option<int>("--trials") { Description = "Trials per length, depth and mode.", DefaultValueFactory = _ => 10 };
        var seed = new Option<long?>("--seed") { Description = "Seed of the prompts (every mode sees the same ones); corpus suite default 1, held-out suite: a development seed." };
        var suite = new Option<string>("--suite") { Description = "Prompts: corpus (the training templates and filler) or heldout (paraphrases, other prose, three-fact prompts).", DefaultValueFactory = _ => "corpus" };
        var seedSet = new Option<string?>("--seed-set") { Description = "Held-out suite seeds: dev (default; for choosing recipes) or report (only for published numbers)." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Tokens generated per answer (greedy).", DefaultValueFactory = _ => 4 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as a JSON array." };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads." };
        var command = new Command("recall", "Needle and fact recall accuracy per length and depth: long route, memory off, short route.")
        {
            package, lengths, depths, modes, trials, seed, suite, seedSet, maxNew, json, threads,
        };
        command.SetAction((parse, ct) =>
        {
            var recallSuite = ParseSuite(parse.GetValue(suite)!);
            var options = new RecallEvaluationOptions
            {
                Suite = recallSuite,
                Formats = RecallEvaluationOptions.FormatsOf(recallSuite),
                Lengths = parse.GetValue(lengths)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseLength).Distinct().ToArray(),
                Depths = ParseDepths(parse.GetValue(depths)!),
                Modes = ParseModes(parse.GetValue(modes)!),
                Trials = parse.GetValue(trials),
                Seed = ResolveSeed(recallSuite, parse.GetValue(seed), parse.GetValue(seedSet)),
                MaxNewTokens = parse.GetValue(maxNew),
            };
            if (options.Lengths.Count == 0)
            {
                throw new CliUsageException("--lengths: give at least one length");
            }

            if (options.Trials <= 0 || options.MaxNewTokens <= 0)
            {
                throw new CliUsageException("--trials and --max-new-tokens must be positive");
            }

            using var model = EdgeInfiniteModel.Load(parse.GetValue(package)!.FullName, new EdgeInfiniteModelOptions { IntraOpThreads = parse.GetValue(threads) });
            if (!model.Package.HasTokenizer)
            {
                throw new InvalidOperationException($"package '{model.Package.Directory}' has no tokenizer; recall prompts are text");
            }

            IReadOnlyList<RecallResult> results;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                results = new RecallEvaluator(model).Evaluate(options, new SyncProgress<RecallProgress>(p => bar.Report(p.Stage, p.Fraction)), ct);
            }

            WriteTable(stdout, results, options, model.Config.MaxPositions);
            if (parse.GetValue(json) is { } file)
            {
                WriteJson(file.FullName, results, options);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    internal static RecallSuite ParseSuite(string text) => text.Trim().ToLowerInvariant() switch
    {
        "corpus" => RecallSuite.Corpus,
        "heldout" or "held-out" => RecallSuite.HeldOut,
        _ => throw new CliUsageException($"--suite: '{text}' is not a suite (corpus, heldout)"),
    };

    /// <summary>The prompts' seed: the corpus suite's <c>--seed</c> (default 1), or the held-out suite's seed set, whose report seed no other option can reach.</summary>
    internal static long ResolveSeed(RecallSuite suite, long? seed, string? seedSetName)
    {
        if (suite == RecallSuite.Corpus)
        {
            return seedSetName is null ? seed ?? 1 : throw new CliUsageException("--seed-set: only the heldout suite has seed sets");
        }

        RecallSeedSet set;
        try
        {
            set = seedSetName is null ? RecallSeedSet.Dev : RecallSeeds.Parse(seedSetName);
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"--seed-set: {ex.Message}");
        }

        if (seed is not { } chosen)
        {
            return RecallSeeds.Of(set);
        }

        if (set == RecallSeedSet.Report)
        {
            throw new CliUsageException("--seed: the report seed set has a fixed seed; give --seed only with --seed-set dev");
        }

        return chosen != RecallSeeds.Report ? chosen : throw new CliUsageException($"--seed: {chosen} is the report seed; use --seed-set report for reported numbers");
    }

    private static int ParseLength(string text)
    {
        long n = SoakCommand.ParseCount(text);
        return n <= int.MaxValue ? (int)n : throw new CliUsageException($"--lengths: '{text}' is too long");
    }

    private static RecallMode[] ParseModes(string text)
    {
        try
        {
            var modes = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(RecallResult.ParseMode).Distinct().ToArray();
            return modes.Length > 0 ? modes : throw new CliUsageException("--modes: give at least one mode");
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"--modes: {ex.Message}");
        }
    }

    private static void WriteTable(TextWriter stdout, IReadOnlyList<RecallResult> results, RecallEvaluationOptions options, int maxPositions)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{SuiteName(options.Suite)} suite, seed {options.Seed}: recall accuracy with its Wilson 95% interval, {options.Trials} trials per cell, first word of a greedy answer; ln p: mean log-probability of the value's first token (package max positions {maxPositions})"));
        stdout.WriteLine();
        stdout.WriteLine("| length | depth | " + string.Join(" | ", options.Modes.Select(RecallResult.Name)) + " |");
        stdout.WriteLine("| ---: | ---: | " + string.Join(" | ", options.Modes.Select(_ => "---:")) + " |");
        foreach (var row in results.GroupBy(r => (r.Length, r.Depth)))
        {
            var cells = options.Modes.Select(m => row.Single(r => r.Mode == m)).Select(r => r.Accuracy is { } a && r.Wilson95 is { } ci
                ? string.Create(CultureInfo.InvariantCulture, $"{r.Correct}/{r.Trials} ({a * 100:0}%, {ci.Low * 100:0}–{ci.High * 100:0}%), ln p {r.MeanLogProb:0.00}")
                : $"n/a ({r.Skipped})");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {row.Key.Length} | {row.Key.Depth:0.###} | {string.Join(" | ", cells)} |"));
        }
    }

    private static string SuiteName(RecallSuite suite) => suite == RecallSuite.HeldOut ? "heldout" : "corpus";

    internal static void WriteJson(string path, IReadOnlyList<RecallResult> results, RecallEvaluationOptions options)
    {
        var array = new JsonArray();
        foreach (var r in results.Where(r => r.Accuracy is not null))
        {
            var ci = r.Wilson95!.Value;
            array.Add(new JsonObject
            {
                ["suite"] = SuiteName(options.Suite),
                ["seed"] = options.Seed,
                ["mode"] = r.ModeName,
                ["length"] = r.Length,
                ["depth"] = r.Depth,
                ["trials"] = r.Trials,
                ["correct"] = r.Correct,
                ["accuracy"] = r.Accuracy,
                ["ci95Low"] = ci.Low,
                ["ci95High"] = ci.High,
                ["meanLogProb"] = r.MeanLogProb,
            });
        }

        // Every other number is finite (counts, a ratio of counts, the Wilson interval, a depth checked to be in 0..1);
        // meanLogProb is computed in float64 from the logits and is NaN or infinite exactly when a logit is (a broken
        // package): written as the strings "NaN" / "-Infinity" instead of failing the whole run after it finished.
        AtomicFile.WriteText(path, array.ToJsonString(new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }
}
