using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SideBySide.Runners;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// <c>profile --package P [--mode long|short|memoff] [--length 4k] [--decode 64] [--threads N] [--out FILE]</c>: one
/// run of this project's engine with ONNX Runtime profiling on, then where the time goes, for prefill and for decode
/// separately: each graph run's share of the wall time, and each operator type's and node's share of the graph's time.
/// Profiling slows the run down; the shares are what it is for, not the times.
/// </summary>
internal static class ProfileBench
{
    public static int Run(IReadOnlyDictionary<string, string> a)
    {
        string package = a.TryGetValue("--package", out var p) ? p : throw new ArgumentException("--package is required");
        string mode = a.TryGetValue("--mode", out var m) ? m : "long";
        int length = a.TryGetValue("--length", out var l) ? Arguments.ParseCount("--length", l) : 4096;
        int decode = a.TryGetValue("--decode", out var d) ? Arguments.ParseInt("--decode", d) : 64;
        int? threads = a.TryGetValue("--threads", out var t) ? Arguments.ParseInt("--threads", t) : null;
        string folder = Directory.CreateTempSubdirectory("edgeinfinite-profile-").FullName;
        var (route, memory) = mode switch
        {
            "long" => (Route.Long, true),
            "memoff" => (Route.Long, false),
            "short" => (Route.Short, false),
            _ => throw new ArgumentException($"profile: unknown mode '{mode}' (long, memoff, short)"),
        };

        int vocab = Onnx.Packaging.ModelPackage.Open(package).Config.Architecture.VocabSize;
        var random = new Random(length);
        var prompt = Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray();
        double ttft, rate;
        var wall = Stopwatch.StartNew();
        using (var runner = new EdgeInfiniteRunner(package, route, memory, threads, Path.Combine(folder, "ort")))
        {
            wall.Restart();
            (ttft, rate) = runner.Run(prompt, decode);
        }

        string trace = Directory.GetFiles(folder, "ort*.json").Single();
        var runs = ReadRuns(trace);

        // The last decode runs are the decode steps (the first token comes from the prefill's last chunk).
        var decodeRuns = runs.TakeLast(decode).ToList();
        var prefillRuns = runs.Take(runs.Count - decodeRuns.Count).ToList();
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Profile of `{mode}` at {length:N0} tokens + {decode} decoded ({Path.GetFileName(package.TrimEnd(Path.DirectorySeparatorChar))}, {threads?.ToString(CultureInfo.InvariantCulture) ?? "default"} threads); with profiling on: TTFT {ttft:N0} ms, decode {rate:0.0} tokens/s.");
        md.AppendLine();
        Describe(md, "prefill", prefillRuns, ttft);
        Describe(md, "decode", decodeRuns, decode / rate * 1000);
        Console.WriteLine(md.ToString());
        if (a.TryGetValue("--out", out var o))
        {
            File.WriteAllText(o, md.ToString());
        }

        Directory.Delete(folder, recursive: true);
        return 0;
    }

    private static void Describe(StringBuilder md, string phase, List<ProfiledGraphRun> runs, double wallMs)
    {
        double graphMs = runs.Sum(r => r.DurationUs) / 1000.0;
        double nodeMs = runs.Sum(r => r.Nodes.Sum(n => n.DurationUs)) / 1000.0;
        md.AppendLine(CultureInfo.InvariantCulture, $"**{phase}**: {runs.Count} graph runs, {graphMs:N0} ms in ONNX Runtime of {wallMs:N0} ms wall ({Share(graphMs, wallMs)}); node kernels {nodeMs:N0} ms.");
        md.AppendLine();
        md.AppendLine("| operator | ms | share of kernel time |");
        md.AppendLine("| --- | ---: | ---: |");
        foreach (var g in runs.SelectMany(r => r.Nodes).GroupBy(n => n.Op).Select(g => (Op: g.Key, Ms: g.Sum(n => n.DurationUs) / 1000.0)).OrderByDescending(g => g.Ms).Take(8))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {g.Op} | {g.Ms:N1} | {Share(g.Ms, nodeMs)} |");
        }

        md.AppendLine();
        md.AppendLine("| slowest nodes (all layers) | ms | share |");
        md.AppendLine("| --- | ---: | ---: |");
        foreach (var g in runs.SelectMany(r => r.Nodes).GroupBy(n => LayerFree(n.Name)).Select(g => (Name: g.Key, Ms: g.Sum(n => n.DurationUs) / 1000.0)).OrderByDescending(g => g.Ms).Take(6))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| `{g.Name}` | {g.Ms:N1} | {Share(g.Ms, nodeMs)} |");
        }

        md.AppendLine();
    }

    /// <summary>Reads ONNX Runtime's trace: each <c>model_run</c> event with the node kernel events inside its interval.</summary>
    private static List<ProfiledGraphRun> ReadRuns(string trace)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(trace));
        var runs = new List<ProfiledGraphRun>();
        var nodes = new List<(long Ts, ProfiledNode Node)>();
        foreach (var e in document.RootElement.EnumerateArray())
        {
            string cat = e.TryGetProperty("cat", out var c) ? c.GetString() ?? string.Empty : string.Empty;
            string name = e.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty;
            long ts = e.TryGetProperty("ts", out var tsv) ? tsv.GetInt64() : 0;
            long dur = e.TryGetProperty("dur", out var dv) ? dv.GetInt64() : 0;
            if (cat == "Session" && name == "model_run")
            {
                runs.Add(new ProfiledGraphRun(ts, dur, []));
            }
            else if (cat == "Node" && name.EndsWith("_kernel_time", StringComparison.Ordinal))
            {
                string op = e.TryGetProperty("args", out var args) && args.TryGetProperty("op_name", out var on) ? on.GetString() ?? "?" : "?";
                nodes.Add((ts, new ProfiledNode(name[..^"_kernel_time".Length], op, dur)));
            }
        }

        runs.Sort((x, y) => x.StartUs.CompareTo(y.StartUs));
        foreach (var (ts, node) in nodes)
        {
            runs.LastOrDefault(r => r.StartUs <= ts && ts <= r.StartUs + r.DurationUs)?.Nodes.Add(node);
        }

        return runs;
    }

    /// <summary>
    /// Folds the layer index and ONNX Runtime's per-node suffix out of a node name
    /// (<c>/layers.7/mlp/MatMul_75</c> → <c>/layers.*/mlp/MatMul</c>), so a node's time over all layers adds up.
    /// </summary>
    private static string LayerFree(string name) =>
        System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(name, @"(?<=[a-z_.])\d+(?=[/_.])", "*"), @"_\d+$", string.Empty);

    private static string Share(double part, double whole) => whole > 0 ? (part / whole).ToString("P0", CultureInfo.InvariantCulture) : "—";
}
