using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite soak &lt;package-dir&gt; --tokens N</c>: streams N seeded random tokens through one state (the long route
/// by default) in segments, checking that every logit and the whole state stay finite, and reports throughput at
/// checkpoints, the state size and the process's peak memory.
/// </summary>
internal static class SoakCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package folder." };
        var tokens = new Option<string>("--tokens") { Description = "Tokens to stream (e.g. 200000, 128k, 1m).", DefaultValueFactory = _ => "1m" };
        var route = new Option<Route>("--route") { Description = "long (default) or short.", DefaultValueFactory = _ => Route.Long };
        var memory = new Option<bool>("--memory-off") { Description = "Drop tokens leaving the window (sink + window only)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the random token stream.", DefaultValueFactory = _ => 1 };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the result as JSON." };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads." };
        var allLogits = new Option<bool>("--all-logits") { Description = "Check the logits of every position, not only each segment's last (runs the LM head on every token)." };
        var command = new Command("soak", "Stream many tokens through one state and check it stays finite (throughput and memory report).")
        {
            package, tokens, route, memory, seed, json, threads, allLogits,
        };
        command.SetAction((parse, ct) =>
        {
            long total = ParseCount(parse.GetValue(tokens)!);
            using var model = EdgeInfiniteModel.Load(parse.GetValue(package)!.FullName, new EdgeInfiniteModelOptions { IntraOpThreads = parse.GetValue(threads) });
            var result = Run(model, total, parse.GetValue(route), !parse.GetValue(memory), parse.GetValue(seed), parse.GetValue(allLogits), stderr, ct);
            stdout.WriteLine(result.Describe());
            if (parse.GetValue(json) is { } file)
            {
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(result, SoakResult.Json));
            }

            return Task.FromResult(result.Finite ? 0 : 3);
        });
        return command;
    }

    internal static long ParseCount(string text)
    {
        string t = text.Trim().ToLowerInvariant();
        long multiplier = t.EndsWith('k') ? 1_000 : t.EndsWith('m') ? 1_000_000 : 1;
        string digits = multiplier == 1 ? t : t[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 && n * multiplier <= int.MaxValue * 100L
            ? n * multiplier
            : throw new CliUsageException($"'{text}' is not a token count (examples: 4096, 128k, 1m)");
    }

    private static SoakResult Run(EdgeInfiniteModel model, long total, Route route, bool memoryOn, int seed, bool allLogits, TextWriter stderr, CancellationToken ct)
    {
        if (route == Route.Short && total > model.Config.MaxPositions)
        {
            throw new CliUsageException($"the short route holds at most {model.Config.MaxPositions} tokens");
        }

        int vocab = model.Config.Architecture.VocabSize;
        int segment = model.Config.LongRoute.SegmentTokens;
        var chunk = new int[segment];
        var settings = model.Config.LongRoute;
        int warmupTokens = Math.Min((int)Math.Min(total, int.MaxValue), settings.SinkTokens + settings.WindowTokens + 5 * segment);
        using (var warmup = model.CreateState(route, warmupTokens + 1, memoryOn))
        {
            // Untimed on a throw-away state: ONNX Runtime's first runs allocate and plan, and the first evictions and
            // memory writes get their code compiled, so the timed run measures the steady state at every length.
            warmup.Append(new int[warmupTokens], ct);
            warmup.Append(chunk.AsSpan(0, 1), ct);
        }

        using var state = model.CreateState(route, route == Route.Short ? (int)total : 0, memoryOn);
        var random = new Random(seed);
        var checkpoints = new List<SoakCheckpoint>();
        var clock = Stopwatch.StartNew();
        long nextCheckpoint = 1024;
        bool finite = true;
        using (var bar = new ConsoleProgressBar(stderr))
        {
            while (state.TokenCount < total && finite)
            {
                ct.ThrowIfCancellationRequested();
                int n = (int)Math.Min(segment, total - state.TokenCount);
                for (int i = 0; i < n; i++)
                {
                    chunk[i] = random.Next(vocab);
                }

                var logits = allLogits ? state.AppendAllLogits(chunk.AsSpan(0, n), ct) : state.Append(chunk.AsSpan(0, n), ct);
                finite = Array.TrueForAll(logits, float.IsFinite);
                if (state.TokenCount >= nextCheckpoint || state.TokenCount == total)
                {
                    finite &= state.IsFinite();
                    checkpoints.Add(new SoakCheckpoint(state.TokenCount, state.TokenCount / clock.Elapsed.TotalSeconds, state.StateBytes, state.TokensInMemory, PeakWorkingSet(), GC.GetTotalMemory(forceFullCollection: false)));
                    nextCheckpoint *= 2;
                }

                bar.Report($"{state.TokenCount:N0} tokens", (double)state.TokenCount / total);
            }
        }

        return new SoakResult(model.Config.Name, state.Route.ToString().ToLowerInvariant(), memoryOn, state.TokenCount, finite, clock.Elapsed.TotalSeconds,
            state.TokenCount / clock.Elapsed.TotalSeconds, state.StateBytes, PeakWorkingSet() / (1024.0 * 1024.0), checkpoints);
    }

    private static long PeakWorkingSet()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
