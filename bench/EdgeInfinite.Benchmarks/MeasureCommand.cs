using System.Diagnostics;
using System.Text.Json;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// Loads one package in this (fresh) process and times, per repeat, a short-route prefill of <c>--prompt</c> random
/// tokens (in the engine's chunks of L) and <c>--decode</c> greedy single-token steps; prints one JSON line.
/// </summary>
internal static class MeasureCommand
{
    public static int Run(ArgReader args)
    {
        string package = args.Required("--package");
        int threads = args.Int("--threads", 0);
        int promptTokens = args.Int("--prompt", 1024);
        int decodeTokens = args.Int("--decode", 64);
        int repeats = args.Int("--repeats", 5);
        int seed = args.Int("--seed", 7);
        args.EnsureAllRead();

        var clock = Stopwatch.StartNew();
        using var model = EdgeInfiniteModel.Load(package, new EdgeInfiniteModelOptions { IntraOpThreads = threads > 0 ? threads : null });
        double loadMs = clock.Elapsed.TotalMilliseconds;
        int vocab = model.Config.Architecture.VocabSize;
        var random = new Random(seed);
        int[] prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(vocab)).ToArray();

        // Warm-up: one chunk and a few decode steps, so first-run allocations and thread-pool start are not timed.
        using (var warm = model.CreateState(Route.Short, 128))
        {
            var logits = warm.Append(prompt.AsSpan(0, Math.Min(64, prompt.Length)));
            for (int i = 0; i < 8; i++)
            {
                logits = warm.Append([ArgMax(logits)]);
            }
        }

        double loadBefore = LoadAverage();
        var prefill = new double[repeats];
        var decode = new double[repeats];
        var prefillCpu = new double[repeats];
        var decodeCpu = new double[repeats];
        using var self = Process.GetCurrentProcess();
        for (int r = 0; r < repeats; r++)
        {
            using var state = model.CreateState(Route.Short, promptTokens + decodeTokens);
            var cpu = CpuMs(self);
            clock.Restart();
            var logits = state.Append(prompt);
            prefill[r] = clock.Elapsed.TotalMilliseconds;
            prefillCpu[r] = CpuMs(self) - cpu;
            cpu = CpuMs(self);
            clock.Restart();
            for (int i = 0; i < decodeTokens; i++)
            {
                logits = state.Append([ArgMax(logits)]);
            }

            decode[r] = clock.Elapsed.TotalMilliseconds;
            decodeCpu[r] = CpuMs(self) - cpu;
        }

        self.Refresh();
        var m = new Measurement(loadMs, prefill, decode, prefillCpu, decodeCpu, self.PeakWorkingSet64, promptTokens, decodeTokens, loadBefore, LoadAverage());
        Console.WriteLine(JsonSerializer.Serialize(m, Measurement.Json));
        return 0;
    }

    /// <summary>User + system CPU time of the whole process (all ONNX Runtime threads, spinning included).</summary>
    private static double CpuMs(Process self)
    {
        self.Refresh();
        return self.TotalProcessorTime.TotalMilliseconds;
    }

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) : double.NaN;

    private static int ArgMax(float[] logits)
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
}
