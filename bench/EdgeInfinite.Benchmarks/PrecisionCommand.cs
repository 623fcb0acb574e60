using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// Weight precisions side by side on one checkpoint: converts it once per precision / block size / accuracy level,
/// loads every variant in this process and, per repeat, runs a short-route prefill and greedy decode steps of each
/// variant back to back (order rotating), so the ratios against float32 of one repeat share the machine's load.
/// Also reports package bytes (and their ratio to the checkpoint's), and each variant's logits against float32 on
/// the same prompt: top-1 agreement and max |Δlogit|.
/// </summary>
internal static class PrecisionCommand
{
    public static int Run(ArgReader args)
    {
        string model = Path.GetFullPath(args.Required("--model"));
        int prompt = args.Int("--prompt", 1024);
        int decode = args.Int("--decode", 64);
        int repeats = args.Int("--repeats", 5);
        int threads = args.Int("--threads", 2);
        int maxPositions = args.Int("--max-positions", 4096);
        var variants = (args.String("--variants") ?? "fp32,int8-b32-a4,int4-b32-a4,int4-b32-a0,int4-b64-a4,int4-b128-a4,int4-b32-a4-nopack")
            .Split(',').Select(PrecisionVariant.Parse).ToList();
        string work = Path.GetFullPath(args.String("--work") ?? Path.Combine("out", "bench-precision"));
        string? output = args.String("--output");
        bool reconvert = args.Flag("--reconvert");
        args.EnsureAllRead();
        if (variants[0].Weights.IsQuantized)
        {
            variants.Insert(0, PrecisionVariant.Parse("fp32"));
        }

        var packages = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in variants)
        {
            string dir = Path.Combine(work, "pkg-" + v.PackageName);
            packages[v.Name] = dir;
            if (reconvert || !Directory.Exists(dir))
            {
                Console.Error.WriteLine($"converting {model} as {v.PackageName}");
                var clock = Stopwatch.StartNew();
                new PackageBuilder().Convert(model, dir, new ConversionOptions
                {
                    Weights = v.Weights,
                    Layout = GraphLayoutOptions.Default with { FloatEmbeddings = v.FloatEmbeddings },
                    MaxPositions = maxPositions,
                    LongRoute = new LongRouteSettings { RouteThreshold = Math.Min(maxPositions, new LongRouteSettings().RouteThreshold) },
                    Overwrite = true,
                });
                Console.Error.WriteLine($"  {clock.Elapsed.TotalSeconds:0.0} s");
            }
        }

        var models = variants.ToDictionary(v => v.Name, v => EdgeInfiniteModel.Load(packages[v.Name], Options(v, threads)), StringComparer.Ordinal);
        try
        {
            int vocab = models[variants[0].Name].Config.Architecture.VocabSize;
            var random = new Random(7);
            int[] ids = [.. Enumerable.Range(0, prompt).Select(_ => random.Next(vocab))];
            var reference = PromptLogits(models[variants[0].Name], ids);
            var accuracy = variants.ToDictionary(v => v.Name, v => Compare(reference, PromptLogits(models[v.Name], ids), vocab));
            var prefill = variants.ToDictionary(v => v.Name, _ => new List<double>());
            var tokensPerSecond = variants.ToDictionary(v => v.Name, _ => new List<double>());
            for (int r = 0; r < repeats; r++)
            {
                var order = variants.Skip(r % variants.Count).Concat(variants.Take(r % variants.Count)).ToList();
                foreach (var v in order)
                {
                    var (p, d) = Time(models[v.Name], ids, decode);
                    prefill[v.Name].Add(p);
                    tokensPerSecond[v.Name].Add(decode * 1000 / d);
                    Console.Error.WriteLine($"repeat {r + 1}/{repeats} {v.Name}: prefill {p:0} ms, decode {decode * 1000 / d:0.0} tok/s");
                }
            }

            long checkpointBytes = Directory.EnumerateFiles(model, "*.safetensors").Sum(f => new FileInfo(f).Length);
            string report = Report(model, variants, packages, checkpointBytes, prefill, tokensPerSecond, accuracy, prompt, decode, repeats, threads);
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

    private static EdgeInfiniteModelOptions Options(PrecisionVariant v, int threads)
    {
        var options = new EdgeInfiniteModelOptions { IntraOpThreads = threads };
        options.SessionConfig["session.disable_prepacking"] = v.PrePacking ? "0" : "1";
        return options;
    }

    private static float[] PromptLogits(EdgeInfiniteModel model, int[] ids)
    {
        using var state = model.CreateState(Route.Short, ids.Length);
        return state.AppendAllLogits(ids);
    }

    private static (double Agreement, double MaxDelta, double MeanDelta) Compare(float[] reference, float[] other, int vocab)
    {
        int rows = reference.Length / vocab, agree = 0;
        double max = 0, sum = 0;
        for (int t = 0; t < rows; t++)
        {
            var r = reference.AsSpan(t * vocab, vocab);
            var o = other.AsSpan(t * vocab, vocab);
            agree += ArgMax(r) == ArgMax(o) ? 1 : 0;
            for (int i = 0; i < vocab; i++)
            {
                double delta = Math.Abs(r[i] - o[i]);
                max = Math.Max(max, delta);
                sum += delta;
            }
        }

        return ((double)agree / rows, max, sum / reference.Length);
    }

    private static (double PrefillMs, double DecodeMs) Time(EdgeInfiniteModel model, int[] ids, int decode)
    {
        using var state = model.CreateState(Route.Short, ids.Length + decode);
        var clock = Stopwatch.StartNew();
        var logits = state.Append(ids);
        double prefill = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        for (int i = 0; i < decode; i++)
        {
            logits = state.Append([ArgMax(logits)]);
        }

        return (prefill, clock.Elapsed.TotalMilliseconds);
    }

    private static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static string Report(string model, List<PrecisionVariant> variants, Dictionary<string, string> packages, long checkpointBytes, Dictionary<string, List<double>> prefill, Dictionary<string, List<double>> tps, Dictionary<string, (double Agreement, double MaxDelta, double MeanDelta)> accuracy, int prompt, int decode, int repeats, int threads)
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string baseline = variants[0].Name;
        sb.AppendLine(c, $"Model `{Path.GetFileName(model)}` (checkpoint {checkpointBytes:N0} bytes); short route, prompt {prompt} random tokens, {decode} greedy decode steps; {repeats} repeats, every variant once per repeat back to back in one process (order rotating); {threads} intra-op thread(s); {Environment.ProcessorCount} logical cores. Ratios: median over repeats of the variant's time against {baseline}'s in the same repeat.");
        sb.AppendLine();
        sb.AppendLine("| variant | pre-packing | embeddings | package bytes | vs checkpoint | prefill ms median | decode tok/s median | prefill time vs fp32 | decode tok/s vs fp32 | top-1 agreement vs fp32 | max \\|Δlogit\\| | mean \\|Δlogit\\| |");
        sb.AppendLine("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var v in variants)
        {
            long bytes = new DirectoryInfo(packages[v.Name]).EnumerateFiles().Sum(f => f.Length);
            double prefillRatio = Statistics.Median(prefill[v.Name].Select((x, i) => x / prefill[baseline][i]));
            double decodeRatio = Statistics.Median(tps[v.Name].Select((x, i) => x / tps[baseline][i]));
            var a = accuracy[v.Name];
            sb.AppendLine(c, $"| {v.Name} | {(v.PrePacking ? "on" : "off")} | {(!v.Weights.IsQuantized || v.FloatEmbeddings ? "float32 Gather" : "GatherBlockQuantized")} | {bytes:N0} | {(double)bytes / checkpointBytes:0.000} | {Statistics.Median(prefill[v.Name]):0} | {Statistics.Median(tps[v.Name]):0.0} | {prefillRatio:0.000} | {decodeRatio:0.000} | {a.Agreement:P1} | {a.MaxDelta:0.0000} | {a.MeanDelta:0.00000} |");
        }

        return sb.ToString();
    }
}
