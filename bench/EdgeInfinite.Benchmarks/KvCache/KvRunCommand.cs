using System.Diagnostics;
using System.Numerics.Tensors;
using System.Globalization;
using System.Text.Json;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>
/// <c>kv-run</c>: in this (fresh) process, loads one package's chunk graph, feeds <c>--tokens</c> random tokens over
/// the route the engine would take (short up to the package's route threshold, long above it) and decodes
/// <c>--decode</c> greedy tokens; prints one JSON line (<see cref="KvRunResult"/>).
/// </summary>
internal static class KvRunCommand
{
    public static int Run(ArgReader args)
    {
        string package = args.Required("--package");
        var precision = KvVariant.Parse(args.Required("--kv"));
        int tokens = args.Int("--tokens", 4096);
        int decode = args.Int("--decode", 32);
        int threads = args.Int("--threads", 0);
        int seed = args.Int("--seed", 7);
        string? scalesPath = args.String("--scales");
        args.EnsureAllRead();

        var config = ModelPackage.Open(package).Config;
        var route = config.LongRoute;
        bool longRoute = tokens + decode > route.RouteThreshold;
        int capacity = longRoute ? route.SinkTokens + route.WindowTokens + route.SegmentTokens : tokens + decode;
        var scales = scalesPath is null ? null : KvScales.Load(scalesPath);
        using var driver = new ChunkGraphDriver(package, precision, capacity, threads, scales);
        double rssAfterLoad = Status("VmRSS");
        var random = new Random(seed);
        int vocab = config.Architecture.VocabSize;
        int[] prompt = Enumerable.Range(0, tokens).Select(_ => random.Next(vocab)).ToArray();

        // Warm-up: one chunk and a few steps, so first-run allocations and the thread pool's start are not timed.
        var logits = driver.Feed(prompt.AsSpan(0, Math.Min(route.SinkTokens + route.SegmentTokens, tokens)));
        for (int i = 0; i < 4; i++)
        {
            logits = driver.Feed([ArgMax(logits)]);
        }

        driver.Reset();
        double loadBefore = LoadAverage();
        using var self = Process.GetCurrentProcess();
        double cpu = CpuMs(self);
        var clock = Stopwatch.StartNew();
        logits = driver.Feed(prompt);
        double ttft = clock.Elapsed.TotalMilliseconds;
        double ttftCpu = CpuMs(self) - cpu;
        bool finite = logits.All(float.IsFinite);
        cpu = CpuMs(self);
        clock.Restart();
        for (int i = 0; i < decode; i++)
        {
            logits = driver.Feed([ArgMax(logits)]);
        }

        double decodeMs = clock.Elapsed.TotalMilliseconds;
        double decodeCpu = CpuMs(self) - cpu;
        finite &= logits.All(float.IsFinite);
        var a = config.Architecture;
        long cacheBytes = 2L * a.NumLayers * a.NumKvHeads * capacity * a.HeadDim * KvVariant.ElementBytes(precision);
        var result = new KvRunResult(KvVariant.Name(precision), tokens, longRoute ? "long" : "short", capacity, cacheBytes, ttft, ttftCpu,
            decode * 1000.0 / decodeMs, decodeCpu / decode, rssAfterLoad, Status("VmHWM"), loadBefore, LoadAverage(), finite);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>The greedy token: the first index of the largest logit.</summary>
    internal static int ArgMax(float[] logits) => TensorPrimitives.IndexOfMax<float>(logits);

    internal static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;

    /// <summary>A <c>/proc/self/status</c> memory field in MB (VmRSS: now, VmHWM: peak).</summary>
    private static double Status(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    private static double CpuMs(Process self)
    {
        self.Refresh();
        return self.TotalProcessorTime.TotalMilliseconds;
    }
}
