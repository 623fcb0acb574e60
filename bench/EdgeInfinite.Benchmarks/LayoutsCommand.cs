using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// Converts one checkpoint with each graph layout, then measures each (layout, intra-op threads) pair in a fresh
/// process per round, interleaving layouts round by round so that machine noise spreads over all of them.
/// Prints a Markdown report: medians over every repeat of every round, ratios vs the default layout.
/// </summary>
internal static class LayoutsCommand
{
    public static int Run(ArgReader args)
    {
        string model = Path.GetFullPath(args.Required("--model"));
        int prompt = args.Int("--prompt", 1024);
        int decode = args.Int("--decode", 64);
        int repeats = args.Int("--repeats", 5);
        int rounds = args.Int("--rounds", 2);
        int maxPositions = args.Int("--max-positions", 4096);
        var threads = (args.String("--threads") ?? "1,2").Split(',').Select(t => int.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var layouts = (args.String("--layouts") ?? string.Join(",", LayoutCatalog.All.Keys)).Split(',');
        string work = Path.GetFullPath(args.String("--work") ?? Path.Combine("out", "bench"));
        string? output = args.String("--output");
        bool reconvert = args.Flag("--reconvert");
        args.EnsureAllRead();
        if (!layouts.Contains("default"))
        {
            layouts = ["default", .. layouts];
        }

        Directory.CreateDirectory(work);
        var packages = new Dictionary<string, string>(StringComparer.Ordinal);
        var convertSeconds = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string name in layouts)
        {
            string dir = Path.Combine(work, "pkg-" + name);
            packages[name] = dir;
            if (!reconvert && Directory.Exists(dir))
            {
                continue;
            }

            Console.Error.WriteLine($"converting {model} with layout {name} ({LayoutCatalog.Get(name).Name})");
            var clock = Stopwatch.StartNew();
            new PackageBuilder().Convert(model, dir, new ConversionOptions
            {
                Layout = LayoutCatalog.Get(name),
                MaxPositions = maxPositions,
                LongRoute = new EdgeInfinite.Onnx.Packaging.LongRouteSettings { RouteThreshold = Math.Min(maxPositions, new EdgeInfinite.Onnx.Packaging.LongRouteSettings().RouteThreshold) },
                Overwrite = true,
            });
            convertSeconds[name] = clock.Elapsed.TotalSeconds;
        }

        var results = new Dictionary<(string Layout, int Threads), List<Measurement>>();
        for (int round = 0; round < rounds; round++)
        {
            // Alternate the order each round so that no layout always runs first or last.
            var order = round % 2 == 0 ? layouts : layouts.Reverse().ToArray();
            foreach (string name in order)
            {
                foreach (int t in round % 2 == 0 ? threads : threads.Reverse().ToArray())
                {
                    Console.Error.WriteLine($"round {round + 1}/{rounds}: {name}, {t} thread(s)");
                    var m = RunChild(packages[name], t, prompt, decode, repeats);
                    Console.Error.WriteLine($"  prefill ms [{string.Join(", ", m.PrefillMs.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}], decode ms [{string.Join(", ", m.DecodeMs.Select(x => x.ToString("0", CultureInfo.InvariantCulture)))}], peak WS {m.PeakWorkingSetBytes / 1048576} MiB");
                    if (!results.TryGetValue((name, t), out var list))
                    {
                        results[(name, t)] = list = [];
                    }

                    list.Add(m);
                }
            }
        }

        string report = Report(model, layouts, threads, results, prompt, decode, repeats, rounds, work);
        Console.WriteLine(report);
        if (output is not null)
        {
            File.WriteAllText(output, report);
        }

        return 0;
    }

    private static Measurement RunChild(string package, int threads, int prompt, int decode, int repeats)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = false, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this process's executable.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(Program).Assembly.Location);
        }

        foreach (string a in new[] { "measure", "--package", package, "--threads", threads.ToString(CultureInfo.InvariantCulture), "--prompt", prompt.ToString(CultureInfo.InvariantCulture), "--decode", decode.ToString(CultureInfo.InvariantCulture), "--repeats", repeats.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start the measure process.");
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"measure {package} exited with {process.ExitCode}.");
        }

        return JsonSerializer.Deserialize<Measurement>(stdout.Trim().Split('\n')[^1]) ?? throw new InvalidDataException("measure printed nothing.");
    }

    private static string Report(string model, string[] layouts, int[] threads, Dictionary<(string Layout, int Threads), List<Measurement>> results, int prompt, int decode, int repeats, int rounds, string work)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Model `{model}`; short route, prompt {prompt} random tokens (prefilled in the engine's chunks of L), {decode} greedy decode steps; {repeats} repeats × {rounds} rounds per row (fresh process per round, layouts interleaved); {Environment.ProcessorCount} logical cores; ONNX Runtime ORT_ENABLE_ALL.");
        sb.AppendLine();
        sb.AppendLine("| layout | graph | intra-op threads | prefill ms (median) | prefill ms (min–max) | prefill tok/s | decode tok/s (median) | decode tok/s (min–max) | peak working set MiB (max) | prefill time vs default | decode tok/s vs default |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int t in threads)
        {
            var baseline = results[("default", t)];
            double basePrefill = Statistics.Median(baseline.SelectMany(m => m.PrefillMs));
            double baseDecode = Statistics.Median(baseline.SelectMany(m => m.DecodeMs.Select(ms => decode * 1000 / ms)));
            foreach (string name in layouts)
            {
                var ms = results[(name, t)];
                var pre = ms.SelectMany(m => m.PrefillMs).ToArray();
                var dec = ms.SelectMany(m => m.DecodeMs.Select(x => decode * 1000 / x)).ToArray();
                double preMed = Statistics.Median(pre), decMed = Statistics.Median(dec);
                sb.AppendLine(c, $"| {name} | {LayoutCatalog.Get(name).Name} | {t} | {preMed:0} | {Statistics.Min(pre):0}–{Statistics.Max(pre):0} | {prompt * 1000 / preMed:0} | {decMed:0.0} | {Statistics.Min(dec):0.0}–{Statistics.Max(dec):0.0} | {ms.Max(m => m.PeakWorkingSetBytes) / 1048576.0:0} | {preMed / basePrefill:0.000} | {decMed / baseDecode:0.000} |");
            }
        }

        if (threads.Length > 1)
        {
            sb.AppendLine();
            sb.AppendLine("Intra-op threads, default layout:");
            sb.AppendLine();
            sb.AppendLine("| intra-op threads | prefill ms (median) | decode tok/s (median) | prefill vs first | decode vs first |");
            sb.AppendLine("| ---: | ---: | ---: | ---: | ---: |");
            double p0 = Statistics.Median(results[("default", threads[0])].SelectMany(m => m.PrefillMs));
            double d0 = Statistics.Median(results[("default", threads[0])].SelectMany(m => m.DecodeMs.Select(x => decode * 1000 / x)));
            foreach (int t in threads)
            {
                double p = Statistics.Median(results[("default", t)].SelectMany(m => m.PrefillMs));
                double d = Statistics.Median(results[("default", t)].SelectMany(m => m.DecodeMs.Select(x => decode * 1000 / x)));
                sb.AppendLine(c, $"| {t} | {p:0} | {d:0.0} | {p / p0:0.000} | {d / d0:0.000} |");
            }
        }

        sb.AppendLine();
        sb.AppendLine("Chunk-graph nodes by op type, as written → after ONNX Runtime's optimizer (same layouts, tiny preset):");
        sb.AppendLine();
        sb.AppendLine("| layout | " + string.Join(" | ", OpHistogram.InterestingOps.Append("(all nodes)")) + " |");
        sb.AppendLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", OpHistogram.InterestingOps.Length + 1)));
        string tinyHf = Path.Combine(work, "tiny-hf");
        if (!Directory.Exists(tinyHf))
        {
            RandomCheckpoint.Write(tinyHf, RandomCheckpointSpec.Tiny, seed: 1);
        }

        foreach (string name in layouts)
        {
            string dir = Path.Combine(work, "tiny-" + name);
            new PackageBuilder().Convert(tinyHf, dir, new ConversionOptions { Layout = LayoutCatalog.Get(name), Overwrite = true });
            var (written, optimized) = OpHistogram.Count(dir, Path.Combine(work, "optimized.onnx"));
            var cells = OpHistogram.InterestingOps.Append("(all nodes)").Select(op => string.Create(c, $"{(written.TryGetValue(op, out int w) ? w : 0)} → {(optimized.TryGetValue(op, out int o) ? o : 0)}"));
            sb.Append("| ").Append(name).Append(" | ").AppendJoin(" | ", cells).AppendLine(" |");
        }

        return sb.ToString();
    }
}
