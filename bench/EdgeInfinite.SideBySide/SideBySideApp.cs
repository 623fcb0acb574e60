using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Gguf;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// The parent side: prepares the package and the GGUF from one checkpoint (the same weights for every engine), or
/// takes a ready package (<c>--model tiny</c>, the embedded default model, or <c>--model PKG</c>), runs
/// each (mode, length) in its own process, and writes a Markdown table, JSON rows and SVG plots. Full-attention
/// modes whose KV cache would exceed <c>--cap-mb</c>, or that exceed the package's positions, are reported as over cap.
/// </summary>
internal static class SideBySideApp
{
    private static readonly string[] s_fullAttention = ["short", "genai", "llamasharp"];

    public static int Run(IReadOnlyDictionary<string, string> a)
    {
        string model = a.TryGetValue("--model", out var mo) ? mo : a.ContainsKey("--checkpoint") ? "checkpoint" : "realistic";
        string? checkpoint = a.TryGetValue("--checkpoint", out var c) ? Path.GetFullPath(c) : null;
        string? readyPackage = null;
        string defaultName;
        switch (model)
        {
            case "tiny":
                readyPackage = FindUpwards(Path.Combine("models", "edgeinfinite-tiny")) ?? throw new ArgumentException("--model tiny: models/edgeinfinite-tiny was not found above the current folder");
                defaultName = "edgeinfinite-tiny";
                break;
            case "realistic":
                // Qwen2.5-0.5B's layer shapes with 4 layers, random weights (seed 1): the same file on every machine.
                checkpoint ??= Path.GetFullPath(Path.Combine("out", "bench", "qwen2.5-0.5b-4l-checkpoint"));
                if (!File.Exists(Path.Combine(checkpoint, "config.json")))
                {
                    Console.Error.WriteLine($"side-by-side: writing the random realistic-shape checkpoint to {checkpoint} ...");
                    RandomCheckpoint.Write(checkpoint, RandomCheckpointSpec.Qwen25HalfBillionFourLayers, seed: 1, overwrite: true);
                }

                defaultName = "qwen2.5-0.5b-4l";
                break;
            case "checkpoint":
                defaultName = Path.GetFileName(checkpoint!.TrimEnd(Path.DirectorySeparatorChar));
                break;
            default:
                readyPackage = File.Exists(Path.Combine(model, PackageConfig.FileName)) ? Path.GetFullPath(model) : throw new ArgumentException($"--model '{model}' is not tiny, realistic or a package folder (no {PackageConfig.FileName})");
                defaultName = Path.GetFileName(readyPackage.TrimEnd(Path.DirectorySeparatorChar));
                break;
        }

        string name = a.TryGetValue("--name", out var n) ? n : defaultName;
        var lengths = (a.TryGetValue("--lengths", out var l) ? l : "1k,4k,16k,32k,128k").Split(',').Select(ParseCount).ToArray();
        var modes = (a.TryGetValue("--modes", out var m) ? m : "long,short,genai,llamasharp,memoff").Split(',');
        int decode = a.TryGetValue("--decode", out var d) ? int.Parse(d, CultureInfo.InvariantCulture) : 32;
        int? threads = a.TryGetValue("--threads", out var t) ? int.Parse(t, CultureInfo.InvariantCulture) : null;
        var cap = TimeSpan.FromSeconds(a.TryGetValue("--cap-seconds", out var cs) ? double.Parse(cs, CultureInfo.InvariantCulture) : 900);
        double capMb = a.TryGetValue("--cap-mb", out var cm) ? double.Parse(cm, CultureInfo.InvariantCulture) : 8192;
        string outDir = Path.GetFullPath(a.TryGetValue("--out", out var o) ? o : Path.Combine("docs", "benchmarks"));
        string work = Path.GetFullPath(a.TryGetValue("--work", out var w) ? w : Path.Combine("out", "bench", name));
        Directory.CreateDirectory(outDir);
        Directory.CreateDirectory(work);

        string package = readyPackage ?? Path.Combine(work, "package");
        if (!Directory.Exists(package))
        {
            var settings = a.TryGetValue("--window", out var win) ? new LongRouteSettings { WindowTokens = int.Parse(win, CultureInfo.InvariantCulture) } : new LongRouteSettings();
            new PackageBuilder().Convert(checkpoint!, package, new ConversionOptions { LongRoute = settings, MaxPositions = a.TryGetValue("--max-positions", out var mp) ? int.Parse(mp, CultureInfo.InvariantCulture) : null });
        }

        string gguf = Path.Combine(work, "model-f32.gguf");
        if (modes.Contains("llamasharp") && checkpoint is not null && !File.Exists(gguf))
        {
            GgufExporter.Export(checkpoint, gguf);
        }

        var config = ModelPackage.Open(package).Config;
        var arch = config.Architecture;
        var rows = new List<BenchRow>();
        foreach (int length in lengths)
        {
            foreach (string mode in modes)
            {
                double kvMb = 2.0 * arch.NumLayers * arch.NumKvHeads * arch.HeadDim * sizeof(float) * (length + decode) / (1024 * 1024);

                // GenAI's decoder graph (as its builder lays it out) returns prompt logits for every position.
                double logitsMb = mode == "genai" ? (double)length * arch.VocabSize * sizeof(float) / (1024 * 1024) : 0;
                BenchRow row;
                if (mode == "llamasharp" && checkpoint is null)
                {
                    // GGUF is written from Hugging Face weights; a ready package needs its checkpoint beside it.
                    row = new BenchRow(name, mode, length, null, null, null, "skipped (no --checkpoint to write the GGUF from)");
                }
                else if (s_fullAttention.Contains(mode) && kvMb + logitsMb > capMb)
                {
                    row = new BenchRow(name, mode, length, null, null, null, $"over cap (KV + logits {kvMb + logitsMb:0} MB > {capMb:0} MB)");
                }
                else if (mode is "short" or "genai" && length + decode + 1 > config.MaxPositions)
                {
                    row = new BenchRow(name, mode, length, null, null, null, $"over cap (max positions {config.MaxPositions})");
                }
                else
                {
                    Console.Error.WriteLine($"side-by-side: {name} {mode} {length:N0} tokens ...");
                    row = ChildRun.Measure(name, mode, length, package, mode == "llamasharp" ? gguf : null, decode, threads, cap);
                }

                Console.Error.WriteLine($"  {row}");
                rows.Add(row);
            }
        }

        Write(outDir, name, rows, config);
        return 0;
    }

    private static void Write(string outDir, string name, List<BenchRow> rows, PackageConfig config)
    {
        var json = JsonSerializer.Serialize(rows.Select(r => new { model = r.Model, mode = r.Mode, length = r.Length, ttft_ms = r.TtftMs, peak_rss_mb = r.PeakRssMb, decode_tokens_per_s = r.DecodeTokensPerS, status = r.Status }), new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(outDir, $"side-by-side-{name}.json"), json);
        var md = new StringBuilder();
        var l = config.LongRoute;
        md.AppendLine(CultureInfo.InvariantCulture, $"Model `{name}` ({config.Architecture.Family.ToString().ToLowerInvariant()}, {config.Architecture.NumLayers} layers, hidden {config.Architecture.HiddenSize}, vocab {config.Architecture.VocabSize}); long route S={l.SinkTokens}, W={l.WindowTokens}, L={l.SegmentTokens}. Ratios are to ONNX Runtime GenAI at the same length, measured in the same run.");
        md.AppendLine();
        md.AppendLine("| length | mode | TTFT ms | TTFT ÷ GenAI | peak RSS MB | RSS ÷ GenAI | decode tok/s | decode ÷ GenAI | status |");
        md.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in rows)
        {
            var g = rows.FirstOrDefault(x => x.Length == r.Length && x.Mode == "genai" && x.Status == "ok");
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Length:N0} | {r.Mode} | {F(r.TtftMs)} | {Ratio(r.TtftMs, g?.TtftMs)} | {F(r.PeakRssMb)} | {Ratio(r.PeakRssMb, g?.PeakRssMb)} | {F(r.DecodeTokensPerS)} | {Ratio(r.DecodeTokensPerS, g?.DecodeTokensPerS)} | {r.Status} |");
        }

        File.WriteAllText(Path.Combine(outDir, $"side-by-side-{name}.md"), md.ToString());
        Console.WriteLine(md.ToString());
        File.WriteAllText(Path.Combine(outDir, $"ttft-{name}.svg"), SvgChart.Render($"Time to first token ({name})", "TTFT (ms)", Series(rows, r => r.TtftMs)));
        File.WriteAllText(Path.Combine(outDir, $"memory-{name}.svg"), SvgChart.Render($"Peak process RSS ({name})", "peak RSS (MB)", Series(rows, r => r.PeakRssMb)));
        File.WriteAllText(Path.Combine(outDir, $"decode-{name}.svg"), SvgChart.Render($"Decode throughput ({name})", "tokens/s", Series(rows, r => r.DecodeTokensPerS)));
    }

    private static Dictionary<string, List<(int X, double Y)>> Series(List<BenchRow> rows, Func<BenchRow, double?> value) =>
        rows.GroupBy(r => r.Mode).ToDictionary(g => g.Key, g => g.Where(r => value(r) is > 0).Select(r => (r.Length, value(r)!.Value)).ToList());

    private static string F(double? v) => v is { } x ? x.ToString(x >= 100 ? "N0" : "0.0", CultureInfo.InvariantCulture) : "—";

    private static string Ratio(double? v, double? baseline) => v is { } x && baseline is > 0 ? (x / baseline.Value).ToString("0.00", CultureInfo.InvariantCulture) : "—";

    private static string? FindUpwards(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(Path.Combine(candidate, PackageConfig.FileName)))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int ParseCount(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        int mult = s.EndsWith('k') ? 1024 : s.EndsWith('m') ? 1024 * 1024 : 1;
        return int.Parse(mult == 1 ? s : s[..^1], CultureInfo.InvariantCulture) * mult;
    }
}
