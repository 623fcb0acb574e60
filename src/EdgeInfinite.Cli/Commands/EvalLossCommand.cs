using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Loss;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Onnx;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite eval loss &lt;package-dir&gt; [--data FILE] [--tokens 32k] [--seq-len N] [--route short|long|both|long,memoff,short]
/// [--seed S] [--json FILE] [--threads N]</c>: mean next-token cross-entropy (nats/token) and perplexity of a package
/// through the engine, on every token and on assistant tokens only; a Markdown table on stdout, progress on stderr, and
/// with <c>--json</c> one object per route:
/// <c>[{source, seed, precision, mode, sequenceTokens, sequences, tokens, loss, perplexity, assistantTokens, assistantLoss, assistantPerplexity}]</c>.
/// The default text is the held-out synthetic corpus (<see cref="HeldOutLossText.Seed"/>).
/// </summary>
internal static class EvalLossCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package folder (with a tokenizer)." };
        var data = new Option<FileInfo?>("--data") { Description = "UTF-8 text to score, documents separated by <|endoftext|> (make-corpus output); default: the held-out synthetic corpus." };
        var tokens = new Option<string>("--tokens") { Description = "Token budget: the text is cut after this many tokens (32k = 32000).", DefaultValueFactory = _ => "32768" };
        var seqLen = new Option<string?>("--seq-len") { Description = "Tokens per scored sequence, each on a fresh state (default: the package's route threshold)." };
        var route = new Option<string>("--route") { Description = "Routes: short (full attention), long (memory on), both (long,short), or a list of long, memoff (sink + window), short.", DefaultValueFactory = _ => "both" };
        var seed = new Option<long?>("--seed") { Description = $"Seed of the synthetic corpus (default {HeldOutLossText.Seed}, unseen by training); not with --data." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as a JSON array." };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads." };
        var command = new Command("loss", "Held-out next-token loss (nats/token) and perplexity per route, on all tokens and on assistant tokens.")
        {
            package, data, tokens, seqLen, route, seed, json, threads,
        };
        command.SetAction((parse, ct) =>
        {
            var modes = ParseRoutes(parse.GetValue(route)!);
            int budget = ParseTokens("--tokens", parse.GetValue(tokens)!);
            var file = parse.GetValue(data);
            long? corpusSeed = parse.GetValue(seed);
            if (file is not null && corpusSeed is not null)
            {
                throw new CliUsageException("--seed: only the synthetic corpus has a seed; leave it out with --data");
            }

            int? sequence = parse.GetValue(seqLen) is { } text ? ParseTokens("--seq-len", text) : null;
            using var model = EdgeInfiniteModel.Load(parse.GetValue(package)!.FullName, new EdgeInfiniteModelOptions { IntraOpThreads = parse.GetValue(threads) });
            if (!model.Package.HasTokenizer)
            {
                throw new InvalidOperationException($"package '{model.Package.Directory}' has no tokenizer; eval loss scores text");
            }

            var options = new LossEvaluationOptions { Modes = modes, SequenceTokens = sequence ?? Math.Min(model.RouteThreshold, model.Config.MaxPositions) };
            if (modes.Contains(RecallMode.Short) && options.SequenceTokens > model.Config.MaxPositions)
            {
                throw new CliUsageException($"--seq-len {options.SequenceTokens} is over the package's max positions ({model.Config.MaxPositions}) for the short route; use --route long");
            }

            // A tokenizer without ChatML tokens can still score plain text; the synthetic corpus needs them.
            SampleEncoder? encoder;
            try
            {
                encoder = new SampleEncoder(model.Tokenizer);
            }
            catch (ArgumentException)
            {
                encoder = null;
            }

            var lossText = file is not null
                ? LossTextFile.Read(file.FullName, encoder, model.Tokenizer, budget, ct)
                : encoder is not null
                    ? HeldOutLossText.Create(encoder, budget, corpusSeed ?? HeldOutLossText.Seed, ct)
                    : throw new InvalidOperationException($"package '{model.Package.Directory}': its tokenizer has no single tokens for the ChatML markers, and the synthetic corpus is ChatML; give a text with --data");
            IReadOnlyList<LossResult> results;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                results = new LossEvaluator(model).Evaluate(lossText, options, new SyncProgress<LossProgress>(p => bar.Report(p.Stage, p.Fraction)), ct);
            }

            string precision = PrecisionName(model);
            WriteTable(stdout, results, lossText, options, precision);
            if (parse.GetValue(json) is { } output)
            {
                WriteJson(output.FullName, results, lossText, options, precision);
            }

            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>Parses <c>--route</c>: <c>short</c>, <c>long</c>, <c>both</c> (long then short) or a list of recall-style modes.</summary>
    internal static RecallMode[] ParseRoutes(string text)
    {
        if (text.Trim().Equals("both", StringComparison.OrdinalIgnoreCase))
        {
            return [RecallMode.Long, RecallMode.Short];
        }

        try
        {
            var modes = text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(RecallResult.ParseMode).Distinct().ToArray();
            return modes.Length > 0 ? modes : throw new CliUsageException("--route: give short, long, both or a list of long, memoff, short");
        }
        catch (FormatException)
        {
            throw new CliUsageException($"--route: '{text}' is not a route (short, long, both, or a list of long, memoff, short)");
        }
    }

    private static int ParseTokens(string option, string text)
    {
        long n;
        try
        {
            n = SoakCommand.ParseCount(text);
        }
        catch (CliUsageException ex)
        {
            throw new CliUsageException($"{option}: {ex.Message}");
        }

        return n is >= 2 and <= int.MaxValue ? (int)n : throw new CliUsageException($"{option}: {n} is out of range (2 .. {int.MaxValue})");
    }

    private static string PrecisionName(EdgeInfiniteModel model) => model.Config.Weights.Precision.ToString().ToLowerInvariant();

    private static string Describe(LossText text) => text.Seed is { } s
        ? string.Create(CultureInfo.InvariantCulture, $"held-out synthetic corpus, seed {s}")
        : $"'{text.Source}'";

    private static void WriteTable(TextWriter stdout, IReadOnlyList<LossResult> results, LossText text, LossEvaluationOptions options, string precision)
    {
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Describe(text)}: {text.Ids.Length:N0} tokens ({text.Documents:N0} documents) in sequences of {options.SequenceTokens:N0}, {precision} weights; loss: mean next-token cross-entropy in nats/token (every token but a sequence's first), ppl = exp(loss); assistant: assistant content and its <|im_end|> only"));
        stdout.WriteLine();
        stdout.WriteLine("| route | tokens | loss | ppl | assistant tokens | assistant loss | assistant ppl |");
        stdout.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var r in results)
        {
            string assistant = r.AssistantLoss is { } a
                ? string.Create(CultureInfo.InvariantCulture, $"{r.AssistantTokens:N0} | {a:0.0000} | {r.AssistantPerplexity:0.000}")
                : "0 | n/a | n/a";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {r.ModeName} | {r.Tokens:N0} | {r.Loss:0.0000} | {r.Perplexity:0.000} | {assistant} |"));
        }
    }

    private static void WriteJson(string path, IReadOnlyList<LossResult> results, LossText text, LossEvaluationOptions options, string precision)
    {
        var array = new JsonArray();
        foreach (var r in results)
        {
            array.Add(new JsonObject
            {
                ["source"] = text.Source,
                ["seed"] = text.Seed,
                ["precision"] = precision,
                ["mode"] = r.ModeName,
                ["sequenceTokens"] = options.SequenceTokens,
                ["sequences"] = r.Sequences,
                ["tokens"] = r.Tokens,
                ["loss"] = r.Loss,
                ["perplexity"] = r.Perplexity,
                ["assistantTokens"] = r.AssistantTokens,
                ["assistantLoss"] = r.AssistantLoss,
                ["assistantPerplexity"] = r.AssistantPerplexity,
            });
        }

        AtomicFile.WriteText(path, array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
