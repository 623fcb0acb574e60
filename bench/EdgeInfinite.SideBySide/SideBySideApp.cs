using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// The parent side: prepares the packages (one per <c>--precisions</c> entry) and the GGUF files (float32 from the
/// checkpoint, Q8_0/Q4_0 by llama.cpp's quantizer) from one checkpoint, so every engine runs the same weights; or takes
/// a ready package (<c>--model tiny</c>, the embedded default model, or <c>--model PKG</c>). Runs each (length,
/// precision, mode) in its own process, interleaved in one run, and writes a Markdown table, JSON rows and SVG plots.
/// Full-attention modes whose KV cache would exceed <c>--cap-mb</c>, or that exceed the package's positions, are
/// reported as over cap.
/// </summary>
internal static class SideBySideApp
{
    private static readonly string[] s_fullAttention = ["short", "genai", "llamasharp", "llamasharp-ref"];

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
                // A preset's shapes (default Qwen2.5-0.5B with 4 layers), random weights (seed 1): the same file on every machine.
                string preset = a.TryGetValue("--preset", out var pr) ? pr : RandomCheckpointSpec.Qwen25HalfBillionFourLayersPreset;
                var spec = RandomCheckpointSpec.FromPreset(preset);
                checkpoint ??= Path.GetFullPath(Path.Combine("out", "bench", preset + "-checkpoint"));
                if (!File.Exists(Path.Combine(checkpoint, "config.json")))
                {
                    Console.Error.WriteLine($"side-by-side: writing the random {preset} checkpoint to {checkpoint} ...");
                    RandomCheckpoint.Write(checkpoint, spec, seed: 1, overwrite: true);
                }

                defaultName = preset;
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
        var lengths = (a.TryGetValue("--lengths", out var l) ? l : "1k,4k,16k,32k,128k").Split(',').Select(t => Arguments.ParseCount("--lengths", t)).ToArray();
        var modes = (a.TryGetValue("--modes", out var m) ? m : "long,short,genai,llamasharp,memoff").Split(',');
        var precisions = (a.TryGetValue("--precisions", out var p) ? p : a.TryGetValue("--precision", out var p1) ? p1 : "fp32").Split(',');
        int decode = a.TryGetValue("--decode", out var d) ? Arguments.ParseInt("--decode", d) : 32;
        int repeats = a.TryGetValue("--repeats", out var rp) ? Arguments.ParseInt("--repeats", rp) : 1;
        if (repeats < 1)
        {
            throw new ArgumentException($"--repeats must be at least 1 (got {repeats})");
        }

        int? threads = a.TryGetValue("--threads", out var t) ? Arguments.ParseInt("--threads", t) : null;
        var cap = TimeSpan.FromSeconds(a.TryGetValue("--cap-seconds", out var cs) ? Arguments.ParseDouble("--cap-seconds", cs) : 900);
        double capMb = a.TryGetValue("--cap-mb", out var cm) ? Arguments.ParseDouble("--cap-mb", cm) : 8192;
        string outDir = Path.GetFullPath(a.TryGetValue("--out", out var o) ? o : Path.Combine("docs", "benchmarks"));
        string work = Path.GetFullPath(a.TryGetValue("--work", out var w) ? w : Path.Combine("out", "bench", name));
        var baseline = (a.TryGetValue("--baseline", out var b) ? b : "llamasharp:int4").Split(':');
        if (baseline.Length != 2)
        {
            throw new ArgumentException($"--baseline '{b}' is not MODE:PRECISION (for example llamasharp:int4)");
        }

        // Cells not to run (MODE:PRECISION, comma-separated), to spend a busy machine's time on the rows that matter.
        var skip = (a.TryGetValue("--skip", out var sk) ? sk : string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (string precision in precisions)
        {
            _ = PackageVariants.Precisions.Contains(precision) ? precision : throw new ArgumentException($"--precisions: unknown precision '{precision}' (fp32, int8, int4)");
        }

        Directory.CreateDirectory(outDir);
        Directory.CreateDirectory(work);
        var settings = a.TryGetValue("--window", out var win) ? new LongRouteSettings { WindowTokens = Arguments.ParseInt("--window", win) } : new LongRouteSettings();
        int? maxPositions = a.TryGetValue("--max-positions", out var mp) ? Arguments.ParseInt("--max-positions", mp) : null;

        // Prepare every file first, so conversion and quantization never run between measurements.
        // A precision this build cannot write is reported in its rows instead of stopping the other engines' rows.
        string fp32Package = PackageVariants.Ensure(checkpoint, readyPackage, work, "fp32", settings, maxPositions);
        var packages = new Dictionary<string, string>();
        var missing = new Dictionary<string, string>();
        var ggufs = new Dictionary<string, string>();
        foreach (string precision in precisions)
        {
            try
            {
                packages[precision] = PackageVariants.Ensure(checkpoint, readyPackage, work, precision, settings, maxPositions);
            }
            catch (Exception ex) when (ex is InvalidOperationException or InvalidDataException or ArgumentException or IOException)
            {
                missing[precision] = ex.Message;
                Console.Error.WriteLine($"side-by-side: no {precision} package: {ex.Message}");
            }

            if (modes.Any(x => x.StartsWith("llamasharp", StringComparison.Ordinal)) && checkpoint is not null)
            {
                ggufs[precision] = GgufVariants.Ensure(checkpoint, work, precision, threads);
            }
        }

        var config = ModelPackage.Open(fp32Package).Config;
        var rows = new List<BenchRow>();
        foreach (int length in lengths)
        {
            // Rounds: every (precision, mode) once per round, so load on a shared machine falls on all engines alike.
            var rounds = new List<List<BenchRow>>();
            for (int round = 0; round < repeats; round++)
            {
                var cells = new List<BenchRow>();
                foreach (string precision in precisions)
                {
                    foreach (string mode in modes.Where(x => !skip.Contains($"{x}:{precision}")))
                    {
                        bool llama = mode.StartsWith("llamasharp", StringComparison.Ordinal);
                        cells.Add(!llama && missing.TryGetValue(precision, out var why)
                            ? new BenchRow(name, mode, precision, length, null, null, null, null, "skipped (" + why + ")")
                            : round > 0 && rounds[0][cells.Count].Status.StartsWith("over cap", StringComparison.Ordinal)
                                ? rounds[0][cells.Count]
                                : Measure(name, mode, precision, length, llama ? fp32Package : packages[precision], ggufs.GetValueOrDefault(precision), config, decode, threads, cap, capMb));
                    }
                }

                rounds.Add(cells);
            }

            rows.AddRange(Enumerable.Range(0, rounds[0].Count).Select(i => Best(rounds.Select(r => r[i]).ToList())));
        }

        long? checkpointBytes = checkpoint is null ? null : PackageVariants.FolderBytes(checkpoint);
        Write(outDir, name, rows, config, checkpointBytes, repeats, baseline[0], baseline[0].StartsWith("llamasharp", StringComparison.Ordinal) ? GgufVariants.Label(baseline[1]) : baseline[1]);
        return 0;
    }

    /// <summary>
    /// One cell from its rounds: the lowest TTFT and the highest decode rate (each the least disturbed by other load on
    /// the machine), and the highest peak RSS (the conservative figure); not measured if no round measured it.
    /// </summary>
    private static BenchRow Best(List<BenchRow> runs)
    {
        var ok = runs.Where(r => r.Status == "ok").ToList();
        return ok.Count == 0 ? runs[0] : ok[0] with
        {
            TtftMs = ok.Min(r => r.TtftMs),
            DecodeTokensPerS = ok.Max(r => r.DecodeTokensPerS),
            PeakRssMb = ok.Max(r => r.PeakRssMb),
            Status = ok.Count == runs.Count ? "ok" : $"ok ({ok.Count} of {runs.Count} rounds)",
        };
    }

    private static BenchRow Measure(string name, string mode, string precision, int length, string package, string? gguf, PackageConfig config, int decode, int? threads, TimeSpan cap, double capMb)
    {
        var arch = config.Architecture;
        bool llama = mode.StartsWith("llamasharp", StringComparison.Ordinal);
        string weights = llama ? GgufVariants.Label(precision) : precision;
        double kvMb = 2.0 * arch.NumLayers * arch.NumKvHeads * arch.HeadDim * sizeof(float) * (length + decode) / (1024 * 1024);

        // GenAI's decoder graph (as its builder lays it out) returns prompt logits for every position.
        double logitsMb = mode == "genai" ? (double)length * arch.VocabSize * sizeof(float) / (1024 * 1024) : 0;
        BenchRow row;
        if (llama && gguf is null)
        {
            // GGUF is written from Hugging Face weights; a ready package needs its checkpoint beside it.
            row = new BenchRow(name, mode, weights, length, null, null, null, null, "skipped (no --checkpoint to write the GGUF from)");
        }
        else if (s_fullAttention.Contains(mode) && kvMb + logitsMb > capMb)
        {
            row = new BenchRow(name, mode, weights, length, null, null, null, null, $"over cap (KV + logits {kvMb + logitsMb:0} MB > {capMb:0} MB)");
        }
        else if (mode is "short" or "genai" && length + decode + 1 > config.MaxPositions)
        {
            row = new BenchRow(name, mode, weights, length, null, null, null, null, $"over cap (max positions {config.MaxPositions})");
        }
        else
        {
            Console.Error.WriteLine($"side-by-side: {name} {mode} {weights} {length:N0} tokens ...");
            var args = new List<string> { "--mode", mode, "--length", length.ToString(CultureInfo.InvariantCulture), "--package", package, "--decode", decode.ToString(CultureInfo.InvariantCulture) };
            if (llama)
            {
                args.AddRange(["--gguf", gguf!]);
            }

            if (threads is { } t)
            {
                args.AddRange(["--threads", t.ToString(CultureInfo.InvariantCulture)]);
            }

            row = ChildRun.Measure(name, mode, weights, length, args, cap) with { PackageBytes = llama ? new FileInfo(gguf!).Length : PackageVariants.FolderBytes(package) };
        }

        Console.Error.WriteLine($"  {row}");
        return row;
    }

    private static void Write(string outDir, string name, List<BenchRow> rows, PackageConfig config, long? checkpointBytes, int repeats, string baselineMode, string baselineWeights)
    {
        var json = JsonSerializer.Serialize(rows.Select(r => new { model = r.Model, mode = r.Mode, weights = r.Weights, length = r.Length, ttft_ms = r.TtftMs, peak_rss_mb = r.PeakRssMb, decode_tokens_per_s = r.DecodeTokensPerS, package_bytes = r.PackageBytes, checkpoint_bytes = checkpointBytes, status = r.Status }), BenchJson.Options);
        File.WriteAllText(Path.Combine(outDir, $"side-by-side-{name}.json"), json);
        var md = new StringBuilder();
        var l = config.LongRoute;
        string baseName = $"{baselineMode} {baselineWeights}";
        md.AppendLine(CultureInfo.InvariantCulture, $"Model `{name}` ({config.Architecture.Family.ToString().ToLowerInvariant()}, {config.Architecture.NumLayers} layers, hidden {config.Architecture.HiddenSize}, vocab {config.Architecture.VocabSize}); long route S={l.SinkTokens}, W={l.WindowTokens}, L={l.SegmentTokens}. Ratios (÷) are to {baseName} at the same length, measured in the same run{(repeats > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({repeats} interleaved rounds; lowest TTFT, highest decode rate, highest peak RSS of the rounds)") : string.Empty)}{(checkpointBytes is { } cb ? string.Create(CultureInfo.InvariantCulture, $"; the float32 checkpoint holds {cb / 1e6:N0} MB") : string.Empty)}.");
        md.AppendLine();
        md.AppendLine("| length | mode | weights | TTFT ms | TTFT ÷ | decode tok/s | decode ÷ | peak RSS MB | RSS ÷ | package MB | ÷ checkpoint | status |");
        md.AppendLine("| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in rows)
        {
            var g = rows.FirstOrDefault(x => x.Length == r.Length && x.Mode == baselineMode && x.Weights == baselineWeights && x.Status.StartsWith("ok", StringComparison.Ordinal));
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Length:N0} | {r.Mode} | {r.Weights} | {F(r.TtftMs)} | {Ratio(r.TtftMs, g?.TtftMs)} | {F(r.DecodeTokensPerS)} | {Ratio(r.DecodeTokensPerS, g?.DecodeTokensPerS)} | {F(r.PeakRssMb)} | {Ratio(r.PeakRssMb, g?.PeakRssMb)} | {F(r.PackageBytes / 1e6)} | {Ratio(r.PackageBytes, checkpointBytes)} | {r.Status} |");
        }

        File.WriteAllText(Path.Combine(outDir, $"side-by-side-{name}.md"), md.ToString());
        Console.WriteLine(md.ToString());
        bool oneLength = rows.Select(r => r.Length).Distinct().Count() == 1;
        foreach (var (file, title, axis, value) in new (string, string, string, Func<BenchRow, double?>)[]
        {
            ("ttft", "Time to first token", "TTFT (ms)", r => r.TtftMs),
            ("memory", "Peak process RSS", "peak RSS (MB)", r => r.PeakRssMb),
            ("decode", "Decode throughput", "tokens/s", r => r.DecodeTokensPerS),
        })
        {
            string chart = oneLength
                ? SvgChart.RenderBars($"{title} ({name}, {rows[0].Length:N0} tokens)", axis, rows.Where(r => value(r) is > 0).Select(r => ($"{r.Mode} {r.Weights}", value(r)!.Value)).ToList())
                : SvgChart.Render($"{title} ({name})", axis, Series(rows, value));
            File.WriteAllText(Path.Combine(outDir, $"{file}-{name}.svg"), chart);
        }
    }

    private static Dictionary<string, List<(int X, double Y)>> Series(List<BenchRow> rows, Func<BenchRow, double?> value) =>
        rows.GroupBy(r => r.Weights == "fp32" ? r.Mode : $"{r.Mode} {r.Weights}").ToDictionary(g => g.Key, g => g.Where(r => value(r) is > 0).Select(r => (r.Length, value(r)!.Value)).ToList());

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
}
