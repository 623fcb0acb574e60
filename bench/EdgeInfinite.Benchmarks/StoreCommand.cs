using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// <c>store</c>: what keeping a conversation's state in a distributed store costs per turn against the prefill it
/// saves. For each history length: prefill it (the cost a replica without the store pays again), save the snapshot,
/// compress it (none, Brotli q1, ZLib fastest), write and read it (Redis when given), load it, and prefill one new turn.
/// </summary>
internal static class StoreCommand
{
    public static int Run(ArgReader args)
    {
        string package = args.Required("--package");
        int[] histories = (args.String("--history") ?? "1024,4096").Split(',').Select(s => ArgReader.ParseInt("--history", s)).ToArray();
        int turn = args.Int("--turn", 64);
        int threads = args.Int("--threads", 2);
        int repeats = args.Int("--repeats", 3);
        string? redis = args.String("--redis");
        string? output = args.String("--output");
        args.EnsureAllRead();

        using var model = EdgeInfiniteModel.Load(package, new EdgeInfiniteModelOptions { IntraOpThreads = threads });
        using var cache = redis is null ? null : new RedisCache(Options.Create(new RedisCacheOptions { Configuration = redis }));
        var a = model.Config.Architecture;
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Package `{model.Config.Name}`: {a.NumLayers} layers, {a.NumKvHeads} KV heads × {a.HeadDim}, S+W+L = {model.Config.LongRoute.SinkTokens}+{model.Config.LongRoute.WindowTokens}+{model.Config.LongRoute.SegmentTokens}, threshold {model.RouteThreshold}; {threads} threads; medians of {repeats}; store: {(redis is null ? "none (no --redis)" : "Redis " + redis)}.");
        report.AppendLine();
        report.AppendLine("| history | route | snapshot | Brotli q1 | ZLib fastest | save ms | Brotli ms (c/d) | ZLib ms (c/d) | store write ms | store read ms | load ms | store+load total ms | re-prefill history ms | new turn prefill ms | saved per turn |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var random = new Random(7);
        foreach (int history in histories)
        {
            int[] ids = [.. Enumerable.Range(0, history + turn).Select(_ => random.Next(10, a.VocabSize))];
            var route = history + turn > model.RouteThreshold ? Route.Long : Route.Short;
            var prefill = new List<double>();
            var turnPrefill = new List<double>();
            var save = new List<double>();
            var load = new List<double>();
            var brotli = new List<(double C, double D)>();
            var zlib = new List<(double C, double D)>();
            var write = new List<double>();
            var read = new List<double>();
            long raw = 0, brotliBytes = 0, zlibBytes = 0;
            for (int r = 0; r < repeats; r++)
            {
                using var state = model.CreateState(route, history + turn, memoryEnabled: true);
                var clock = Stopwatch.StartNew();
                state.Append(ids.AsSpan(0, history));
                prefill.Add(clock.Elapsed.TotalMilliseconds);

                clock.Restart();
                using var snapshot = new MemoryStream();
                state.Save(snapshot);
                byte[] bytes = snapshot.ToArray();
                save.Add(clock.Elapsed.TotalMilliseconds);
                raw = bytes.Length;

                (brotliBytes, var bc, var bd) = Codec(bytes, Brotli, Unbrotli);
                brotli.Add((bc, bd));
                (zlibBytes, var zc, var zd) = Codec(bytes, Deflate, Inflate);
                zlib.Add((zc, zd));

                if (cache is not null)
                {
                    string key = "edgeinfinite-bench:" + Guid.NewGuid().ToString("N");
                    clock.Restart();
                    cache.Set(key, bytes, new DistributedCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5) });
                    write.Add(clock.Elapsed.TotalMilliseconds);
                    clock.Restart();
                    bytes = cache.Get(key) ?? throw new InvalidOperationException("The stored snapshot vanished.");
                    read.Add(clock.Elapsed.TotalMilliseconds);
                    cache.Remove(key);
                }

                clock.Restart();
                using var restored = model.LoadState(new MemoryStream(bytes, writable: false));
                load.Add(clock.Elapsed.TotalMilliseconds);

                clock.Restart();
                restored.Append(ids.AsSpan(history, turn));
                turnPrefill.Add(clock.Elapsed.TotalMilliseconds);
            }

            double storeTotal = Statistics.Median(save) + Statistics.Median(load) + (cache is null ? 0 : Statistics.Median(write) + Statistics.Median(read));
            double saved = Statistics.Median(prefill);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {history} | {(route == Route.Long ? "long" : "short")} | {Mb(raw)} | {Mb(brotliBytes)} ({100.0 * brotliBytes / raw:F0}%) | {Mb(zlibBytes)} ({100.0 * zlibBytes / raw:F0}%) | {Statistics.Median(save):F1} | {Statistics.Median(brotli.Select(x => x.C)):F0} / {Statistics.Median(brotli.Select(x => x.D)):F0} | {Statistics.Median(zlib.Select(x => x.C)):F0} / {Statistics.Median(zlib.Select(x => x.D)):F0} | {Ms(write)} | {Ms(read)} | {Statistics.Median(load):F1} | {storeTotal:F1} | {saved:F0} | {Statistics.Median(turnPrefill):F0} | {saved / storeTotal:F1}× |");
            Console.Error.WriteLine($"history {history} done");
        }

        Console.Write(report);
        if (output is not null)
        {
            File.WriteAllText(output, report.ToString());
        }

        return 0;
    }

    private static string Mb(long bytes) => (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " MB";

    private static string Ms(List<double> samples) => samples.Count == 0 ? "–" : Statistics.Median(samples).ToString("F1", CultureInfo.InvariantCulture);

    private static (long Bytes, double CompressMs, double DecompressMs) Codec(byte[] data, Func<byte[], byte[]> compress, Func<byte[], int, byte[]> decompress)
    {
        var clock = Stopwatch.StartNew();
        byte[] packed = compress(data);
        double c = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        byte[] back = decompress(packed, data.Length);
        double d = clock.Elapsed.TotalMilliseconds;
        if (!back.AsSpan().SequenceEqual(data))
        {
            throw new InvalidOperationException("The codec did not round-trip.");
        }

        return (packed.Length, c, d);
    }

    // The same settings as the store's serializer: quality 1, window 22.
    private static byte[] Brotli(byte[] data)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(data.Length)];
        return BrotliEncoder.TryCompress(data, buffer, out int n, quality: 1, window: 22) ? buffer[..n] : throw new InvalidOperationException("Brotli failed.");
    }

    private static byte[] Unbrotli(byte[] data, int length)
    {
        var buffer = new byte[length];
        return BrotliDecoder.TryDecompress(data, buffer, out int n) && n == length ? buffer : throw new InvalidOperationException("Brotli failed.");
    }

    private static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Inflate(byte[] data, int length)
    {
        using var z = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
        var buffer = new byte[length];
        z.ReadExactly(buffer);
        return buffer;
    }
}
