using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>
/// <c>kv-precision</c>: the chunk graph with a float32, float16 or int8 KV cache on the same weights. Converts the
/// checkpoint once per cache type, calibrates the int8 scales on a float32 run, compares logits to the float32 cache,
/// then measures time to first token, decode tokens/s and peak RSS per prompt length, one fresh process per
/// (round, length, cache type), the cache types interleaved with a rotating order in every round.
/// </summary>
internal static class KvPrecisionCommand
{
    public static int Run(ArgReader args)
    {
        string? model = args.String("--model");
        string? package = args.String("--package");
        var variants = (args.String("--variants") ?? "fp32,fp16,int8").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(KvVariant.Parse).ToArray();
        int[] lengths = (args.String("--lengths") ?? "4096,32768").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        int decode = args.Int("--decode", 32);
        int rounds = args.Int("--rounds", 3);
        int threads = args.Int("--threads", 2);
        int calibration = args.Int("--calibration", 2048);
        int accuracyTokens = args.Int("--accuracy-tokens", 4096);
        string work = args.String("--work") ?? "out/bench-kv";
        var weights = WeightSettings.For(WeightSettings.ParsePrecision(args.String("--weights") ?? "int4"));
        int maxPositions = args.Int("--max-positions", 8192);
        string? output = args.String("--output");
        bool reconvert = args.Flag("--reconvert");
        bool skipTiming = args.Flag("--accuracy-only");
        var accuracyVariants = args.String("--accuracy-variants") is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(v => v != "none").Select(KvVariant.Parse).ToArray()
            : variants.Skip(1).ToArray();
        args.EnsureAllRead();
        if (variants.Length == 0 || variants[0] != KvCachePrecision.Float32)
        {
            throw new ArgumentException("--variants must start with fp32, the baseline of every ratio.");
        }

        if ((model is null) == (package is null))
        {
            throw new ArgumentException("Give either --model <hf-dir> (converted with --weights) or --package <float32 package> (its graphs rebuilt).");
        }

        var packages = model is not null
            ? KvPackages.Ensure(model, variants, work, weights, maxPositions, reconvert)
            : KvPackages.Rebuild(package!, variants, work);
        weights = ModelPackage.Open(packages[KvCachePrecision.Float32]).Config.Weights;
        var config = ModelPackage.Open(packages[KvCachePrecision.Float32]).Config;
        var route = config.LongRoute;
        string scalesPath = Path.GetFullPath(Path.Combine(work, "int8-scales.json"));
        using (var float32 = new ChunkGraphDriver(packages[KvCachePrecision.Float32], KvCachePrecision.Float32, calibration, threads, null))
        {
            var random = new Random(99);
            KvScales.Calibrate(float32, Enumerable.Range(0, calibration).Select(_ => random.Next(config.Architecture.VocabSize)).ToArray()).Save(scalesPath);
        }

        var scales = KvScales.Load(scalesPath);
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Model `{model ?? package}` ({config.Architecture.NumLayers} layers, {GraphWeightInfo.Describe(weights)} weights), S = {route.SinkTokens}, W = {route.WindowTokens}, L = {route.SegmentTokens}, route threshold {route.RouteThreshold}; {threads} intra-op thread(s); int8 scales: per channel, absmax / 127 of a {calibration}-token float32 run (seed 99).");
        report.AppendLine();
        report.AppendLine("Logits against the float32 cache (same weights, same random tokens, seed 7): the last token of every prefill chunk and " + decode + " decode steps teacher-forced on the float32 cache's greedy token.");
        report.AppendLine();
        report.AppendLine("| cache | tokens | route | positions compared | max abs Δlogit | mean abs Δlogit | max abs logit | top-1 agreement | largest float32 logit gap of a disagreement |");
        report.AppendLine("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var precision in accuracyVariants.Where(p => p != KvCachePrecision.Float32))
        {
            foreach (var (tokens, longRoute) in new[] { (accuracyTokens, false), (Math.Max(accuracyTokens, route.RouteThreshold + route.SegmentTokens), true) })
            {
                int capacity = longRoute ? route.SinkTokens + route.WindowTokens + route.SegmentTokens : tokens + decode;
                var acc = KvAccuracy.Measure(packages[KvCachePrecision.Float32], packages[precision], precision, tokens, decode, capacity, longRoute ? "long" : "short", threads, scales, 7);
                Console.Error.WriteLine(JsonSerializer.Serialize(acc));
                report.AppendLine(CultureInfo.InvariantCulture, $"| {acc.Variant} | {acc.Tokens:N0} | {acc.Route} | {acc.Positions} | {acc.MaxAbsDelta:0.0000} | {acc.MeanAbsDelta:0.00000} | {acc.MaxAbsLogit:0.00} | {acc.Top1Agree}/{acc.Positions} | {acc.MaxDisagreementGap:0.0000} |");
            }
        }

        if (!skipTiming)
        {
            var results = new List<KvRunResult>();
            for (int r = 0; r < rounds; r++)
            {
                foreach (int tokens in lengths)
                {
                    // Rotate the order every round so no cache type always runs first (or right after another's load).
                    foreach (var precision in variants.Skip(r % variants.Length).Concat(variants.Take(r % variants.Length)))
                    {
                        Console.Error.WriteLine($"round {r + 1}/{rounds}: {tokens:N0} tokens, {KvVariant.Name(precision)} cache ...");
                        var result = RunChild(packages[precision], precision, tokens, decode, threads, scalesPath);
                        Console.Error.WriteLine(JsonSerializer.Serialize(result));
                        results.Add(result);
                    }
                }
            }

            report.AppendLine();
            report.Append(Table(results, variants, lengths, rounds));
        }

        Console.Write(report);
        if (output is not null)
        {
            File.WriteAllText(output, report.ToString());
        }

        return 0;
    }

    private static string Table(List<KvRunResult> results, KvCachePrecision[] variants, int[] lengths, int rounds)
    {
        var sb = new StringBuilder();
        var loads = results.SelectMany(r => new[] { r.LoadBefore, r.LoadAfter }).Where(double.IsFinite).ToArray();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{rounds} rounds, one fresh process per (round, length, cache); 1-minute load average {loads.DefaultIfEmpty().Min():0.0}–{loads.DefaultIfEmpty().Max():0.0} on {Environment.ProcessorCount} logical cores. Medians over rounds; ratios are the median over rounds of (cache ÷ float32 in the same round); below 1 is faster (TTFT), cheaper (CPU) or leaner (RSS), above 1 faster for decode tokens/s. On a shared machine read the CPU columns.");
        sb.AppendLine();
        sb.AppendLine("| tokens | route | cache | KV bytes | TTFT ms median (min) | TTFT ratio | TTFT CPU ms | TTFT CPU ratio | decode tok/s median (max) | decode ratio | decode CPU ms/token | decode CPU ratio | RSS after load MB | peak RSS MB | peak RSS ratio | finite |");
        sb.AppendLine("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
        foreach (int tokens in lengths)
        {
            var baseline = results.Where(r => r.Tokens == tokens && r.Variant == "fp32").ToList();
            foreach (var precision in variants)
            {
                string name = KvVariant.Name(precision);
                var rows = results.Where(r => r.Tokens == tokens && r.Variant == name).ToList();
                double Ratio(Func<KvRunResult, double> f) => Statistics.Median(rows.Zip(baseline, (x, b) => f(x) / f(b)));
                sb.AppendLine(CultureInfo.InvariantCulture,
                    $"| {tokens:N0} | {rows[0].Route} | {name} | {rows[0].CacheBytes:N0} | {Statistics.Median(rows.Select(r => r.TtftMs)):0} ({Statistics.Min(rows.Select(r => r.TtftMs)):0}) | {Ratio(r => r.TtftMs):0.000} | {Statistics.Median(rows.Select(r => r.TtftCpuMs)):0} | {Ratio(r => r.TtftCpuMs):0.000} | {Statistics.Median(rows.Select(r => r.DecodeTokensPerSecond)):0.0} ({Statistics.Max(rows.Select(r => r.DecodeTokensPerSecond)):0.0}) | {Ratio(r => r.DecodeTokensPerSecond):0.000} | {Statistics.Median(rows.Select(r => r.DecodeCpuMsPerToken)):0.0} | {Ratio(r => r.DecodeCpuMsPerToken):0.000} | {Statistics.Median(rows.Select(r => r.RssAfterLoadMb)):0} | {Statistics.Median(rows.Select(r => r.PeakRssMb)):0} | {Ratio(r => r.PeakRssMb):0.000} | {(rows.All(r => r.Finite) ? "yes" : "NO")} |");
            }
        }

        return sb.ToString();
    }

    private static KvRunResult RunChild(string package, KvCachePrecision precision, int tokens, int decode, int threads, string scales)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path to start a child run");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in new[] { "kv-run", "--package", package, "--kv", KvVariant.Name(precision), "--tokens", tokens.ToString(CultureInfo.InvariantCulture), "--decode", decode.ToString(CultureInfo.InvariantCulture), "--threads", threads.ToString(CultureInfo.InvariantCulture), "--scales", scales })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the child run");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"kv-run failed ({process.ExitCode}): {stderr.Result}");
        }

        return JsonSerializer.Deserialize<KvRunResult>(stdout.Trim().Split('\n')[^1]) ?? throw new InvalidOperationException("kv-run printed no result");
    }
}
