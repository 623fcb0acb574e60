using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// Paired comparison for a noisy machine: every layout is loaded in this one process, and each repeat runs every
/// layout back to back (the order rotating per repeat), so the layouts of one repeat share the same machine load.
/// Reports, per layout, the median over repeats of its time divided by the default layout's time in the same repeat.
/// </summary>
internal static class PairedCommand
{
    public static int Run(ArgReader args)
    {
        string model = Path.GetFullPath(args.Required("--model"));
        int prompt = args.Int("--prompt", 1024);
        int decode = args.Int("--decode", 64);
        int repeats = args.Int("--repeats", 10);
        int threads = args.Int("--threads", 1);
        int maxPositions = args.Int("--max-positions", 4096);
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
        var models = layouts.ToDictionary(l => l, l => EdgeInfiniteModel.Load(packages[l], new EdgeInfiniteModelOptions { IntraOpThreads = threads }), StringComparer.Ordinal);
        try
        {
            int vocab = models["default"].Config.Architecture.VocabSize;
            var random = new Random(7);
            int[] ids = Enumerable.Range(0, prompt).Select(_ => random.Next(vocab)).ToArray();
            foreach (var m in models.Values)
            {
                Time(m, ids.AsSpan(0, Math.Min(64, prompt)).ToArray(), 8);
            }

            var samples = layouts.ToDictionary(l => l, _ => new List<Sample>(), StringComparer.Ordinal);
            double loadMin = double.MaxValue, loadMax = 0;
            for (int r = 0; r < repeats; r++)
            {
                for (int k = 0; k < layouts.Length; k++)
                {
                    string name = layouts[(r + k) % layouts.Length];
                    double load = LoadAverage();
                    (loadMin, loadMax) = (Math.Min(loadMin, load), Math.Max(loadMax, load));
                    samples[name].Add(Time(models[name], ids, decode));
                }

                var d = samples["default"][r];
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"repeat {r + 1}/{repeats}: ") + string.Join("; ", layouts.Select(l =>
                    string.Create(CultureInfo.InvariantCulture, $"{l} prefill {samples[l][r].PrefillMs:0} ms ({samples[l][r].PrefillMs / d.PrefillMs:0.000}), decode {samples[l][r].DecodeMs:0} ms ({samples[l][r].DecodeMs / d.DecodeMs:0.000})"))));
            }

            string report = Report(model, layouts, samples, prompt, decode, repeats, threads, loadMin, loadMax);
            Console.WriteLine(report);
            if (output is not null)
            {
                File.WriteAllText(output, report);
            }
        }
        finally
        {
            foreach (var m in models.Values)
            {
                m.Dispose();
            }
        }

        return 0;
    }

    private static Sample Time(EdgeInfiniteModel model, int[] prompt, int decode)
    {
        using var self = Process.GetCurrentProcess();
        using var state = model.CreateState(Route.Short, prompt.Length + decode);
        self.Refresh();
        double cpu0 = self.TotalProcessorTime.TotalMilliseconds;
        var clock = Stopwatch.StartNew();
        var logits = state.Append(prompt);
        double prefill = clock.Elapsed.TotalMilliseconds;
        self.Refresh();
        double cpu1 = self.TotalProcessorTime.TotalMilliseconds;
        clock.Restart();
        for (int i = 0; i < decode; i++)
        {
            int best = 0;
            for (int j = 1; j < logits.Length; j++)
            {
                best = logits[j] > logits[best] ? j : best;
            }

            logits = state.Append([best]);
        }

        double decodeMs = clock.Elapsed.TotalMilliseconds;
        self.Refresh();
        return new Sample(prefill, cpu1 - cpu0, decodeMs, self.TotalProcessorTime.TotalMilliseconds - cpu1);
    }

    private static string Report(string model, string[] layouts, Dictionary<string, List<Sample>> samples, int prompt, int decode, int repeats, int threads, double loadMin, double loadMax)
    {
        var c = CultureInfo.InvariantCulture;
        var d = samples["default"];
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Paired run: model `{model}`, {threads} intra-op thread(s), prompt {prompt} tokens, {decode} decode steps, {repeats} repeats; all layouts loaded in one process and run back to back in each repeat (order rotating); 1-minute load average {loadMin:0.0}–{loadMax:0.0} on {Environment.ProcessorCount} logical cores.");
        sb.AppendLine("Ratios are medians over repeats of (layout ÷ default in the same repeat), with the 25th–75th percentile; below 1 means the layout is faster.");
        sb.AppendLine();
        sb.AppendLine("| layout | graph | prefill wall ms (median) | prefill wall ratio (IQR) | prefill CPU ratio (IQR) | decode tok/s (median) | decode wall ratio (IQR) | decode CPU ratio (IQR) |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string name in layouts)
        {
            var s = samples[name];
            string Ratio(Func<Sample, double> f)
            {
                var r = s.Select((x, i) => f(x) / f(d[i])).OrderBy(x => x).ToArray();
                return string.Create(c, $"{Statistics.Median(r):0.000} ({Quantile(r, 0.25):0.000}–{Quantile(r, 0.75):0.000})");
            }

            sb.AppendLine(c, $"| {name} | {LayoutCatalog.Get(name).Name} | {Statistics.Median(s.Select(x => x.PrefillMs)):0} | {Ratio(x => x.PrefillMs)} | {Ratio(x => x.PrefillCpuMs)} | {Statistics.Median(s.Select(x => decode * 1000 / x.DecodeMs)):0.0} | {Ratio(x => x.DecodeMs)} | {Ratio(x => x.DecodeCpuMs)} |");
        }

        return sb.ToString();
    }

    private static double Quantile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
}
