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
        var threads = (args.String("--threads") ?? "1,2").Split(',').Select(t => ArgReader.ParseInt("--threads", t)).ToArray();
        var layouts = (args.String("--layouts") ?? string.Join(",", LayoutCatalog.All.Keys)).Split(',');
        string work = Path.GetFullPath(args.String("--work") ?? Path.Combine("out", "bench"));
        string? output = args.String("--output");
        bool reconvert = args.Flag("--reconvert");
        args.EnsureAllRead();
        if (!layouts.Contains("default"))
        {
            layouts = ["default", .. layouts];
        }

        var packages = LayoutPackages.Ensure(model, layouts, work, maxPositions, reconvert);

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
                    Console.Error.WriteLine($"  prefill ms [{Join(m.PrefillMs)}] cpu [{Join(m.PrefillCpuMs)}], decode ms [{Join(m.DecodeMs)}] cpu [{Join(m.DecodeCpuMs)}], peak WS {m.PeakWorkingSetBytes / 1048576} MiB, load {m.LoadAverageBefore:0.0}→{m.LoadAverageAfter:0.0}");
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

    private static string Join(double[] values) => string.Join(", ", values.Select(x => x.ToString("0", CultureInfo.InvariantCulture)));

    private static RowSummary Summarize(List<Measurement> ms, int decode) => new(
        Statistics.Median(ms.SelectMany(m => m.PrefillMs)),
        Statistics.Min(ms.SelectMany(m => m.PrefillMs)),
        Statistics.Median(ms.SelectMany(m => m.PrefillCpuMs)),
        Statistics.Median(ms.SelectMany(m => m.DecodeMs.Select(x => decode * 1000 / x))),
        Statistics.Max(ms.SelectMany(m => m.DecodeMs.Select(x => decode * 1000 / x))),
        Statistics.Median(ms.SelectMany(m => m.DecodeCpuMs.Select(x => x / decode))),
        ms.Max(m => m.PeakWorkingSetBytes) / 1048576.0);

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

        return JsonSerializer.Deserialize<Measurement>(stdout.Trim().Split('\n')[^1], Measurement.Json) ?? throw new InvalidDataException("measure printed nothing.");
    }

    private static string Report(string model, string[] layouts, int[] threads, Dictionary<(string Layout, int Threads), List<Measurement>> results, int prompt, int decode, int repeats, int rounds, string work)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Model `{model}`; short route, prompt {prompt} random tokens (prefilled in the engine's chunks of L), {decode} greedy decode steps; {repeats} repeats × {rounds} rounds per row (fresh process per round, layouts interleaved); {Environment.ProcessorCount} logical cores; ONNX Runtime ORT_ENABLE_ALL.");
        sb.AppendLine();
        var all = results.Values.SelectMany(l => l).ToArray();
        sb.AppendLine(c, $"1-minute load average seen by the measuring processes: {all.Min(m => Math.Min(m.LoadAverageBefore, m.LoadAverageAfter)):0.0}–{all.Max(m => Math.Max(m.LoadAverageBefore, m.LoadAverageAfter)):0.0}. Wall times are what a user sees; process CPU times (user + system, all ONNX Runtime threads) are less sensitive to other processes taking the cores, and with 1 intra-op thread they measure the work itself.");
        sb.AppendLine();
        sb.AppendLine("| layout | graph | intra-op threads | prefill wall ms median (min) | prefill CPU ms median | decode tok/s median (max) | decode CPU ms/token median | peak WS MiB | prefill wall vs default | prefill CPU vs default | decode tok/s vs default | decode CPU vs default |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (int t in threads)
        {
            var b = Summarize(results[("default", t)], decode);
            foreach (string name in layouts)
            {
                var s = Summarize(results[(name, t)], decode);
                sb.AppendLine(c, $"| {name} | {LayoutCatalog.Get(name).Name} | {t} | {s.PrefillMs:0} ({s.PrefillMinMs:0}) | {s.PrefillCpuMs:0} | {s.DecodeTps:0.0} ({s.DecodeMaxTps:0.0}) | {s.DecodeCpuMsPerToken:0.0} | {s.PeakMiB:0} | {s.PrefillMs / b.PrefillMs:0.000} | {s.PrefillCpuMs / b.PrefillCpuMs:0.000} | {s.DecodeTps / b.DecodeTps:0.000} | {s.DecodeCpuMsPerToken / b.DecodeCpuMsPerToken:0.000} |");
            }
        }

        if (threads.Length > 1)
        {
            sb.AppendLine();
            sb.AppendLine("Intra-op threads, default layout (ratios vs the first thread count):");
            sb.AppendLine();
            sb.AppendLine("| intra-op threads | prefill wall ms median (min) | prefill CPU ms median | decode tok/s median (max) | decode CPU ms/token | prefill wall ratio | decode tok/s ratio |");
            sb.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            var first = Summarize(results[("default", threads[0])], decode);
            foreach (int t in threads)
            {
                var s = Summarize(results[("default", t)], decode);
                sb.AppendLine(c, $"| {t} | {s.PrefillMs:0} ({s.PrefillMinMs:0}) | {s.PrefillCpuMs:0} | {s.DecodeTps:0.0} ({s.DecodeMaxTps:0.0}) | {s.DecodeCpuMsPerToken:0.0} | {s.PrefillMs / first.PrefillMs:0.000} | {s.DecodeTps / first.DecodeTps:0.000} |");
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
