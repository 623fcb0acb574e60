using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeInfinite.ModelBuilder.Graphs;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// Micro-benchmarks of the fused-vs-plain choices in isolation, at Qwen2.5-0.5B's layer shapes, one ONNX Runtime session
/// per variant: residual add + RMSNorm, q/k/v projections, gate/up projections, at T = L (a prefill chunk) and T = 1
/// (a decode step). Each op block is short, so the minimum over many runs is a stable estimate even on a busy machine.
/// </summary>
internal static class OpsCommand
{
    private const int Hidden = 896, QOut = 896, KvOut = 128, Inter = 4864;

    public static int Run(ArgReader args)
    {
        int threads = args.Int("--threads", 1);
        int chunk = args.Int("--chunk", 256);
        int runs = args.Int("--runs", 200);
        string? output = args.String("--output");
        args.EnsureAllRead();

        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"Op blocks at Qwen2.5-0.5B shapes (hidden {Hidden}, q {QOut}, k/v {KvOut}, intermediate {Inter}), {threads} intra-op thread(s), ORT_ENABLE_ALL, {runs} runs after 10 warm-up runs; µs per run, min and median; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}.");
        sb.AppendLine();
        sb.AppendLine("| block | T | fused/packed µs min (median) | plain/separate µs min (median) | plain ÷ fused (min) | plain ÷ fused (median) |");
        sb.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (int t in new[] { chunk, 1 })
        {
            foreach (var (block, fused, plain) in new (string, Func<ModelProto>, Func<ModelProto>)[]
            {
                ("residual add + RMSNorm", () => Norm(true), () => Norm(false)),
                ("q/k/v projections (+bias)", () => Qkv(true), () => Qkv(false)),
                ("gate/up projections + SiLU·up", () => GateUp(true), () => GateUp(false)),
            })
            {
                var f = Time(fused(), t, threads, t == 1 ? runs * 5 : runs);
                var p = Time(plain(), t, threads, t == 1 ? runs * 5 : runs);
                sb.AppendLine(c, $"| {block} | {t} | {f.Min:0} ({f.Median:0}) | {p.Min:0} ({p.Median:0}) | {p.Min / f.Min:0.000} | {p.Median / f.Median:0.000} |");
                Console.Error.WriteLine($"{block}, T={t}: fused {f.Min:0} µs, plain {p.Min:0} µs");
            }
        }

        Console.WriteLine(sb.ToString());
        if (output is not null)
        {
            File.WriteAllText(output, sb.ToString());
        }

        return 0;
    }

    private static (double Min, double Median) Time(ModelProto model, int t, int threads, int runs)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = threads, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var random = new Random(3);
        var names = session.InputMetadata.Keys.ToArray();
        var inputs = names.Select(_ => OrtValue.CreateTensorValueFromMemory(Enumerable.Range(0, t * Hidden).Select(_ => (float)random.NextDouble() - 0.5f).ToArray(), [1, t, Hidden])).ToArray();
        var outputNames = session.OutputMetadata.Keys.ToArray();
        using var runOptions = new RunOptions();
        var samples = new double[runs];
        try
        {
            for (int i = -10; i < runs; i++)
            {
                long start = Stopwatch.GetTimestamp();
                using (session.Run(runOptions, names, inputs, outputNames))
                {
                }

                if (i >= 0)
                {
                    samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }
        }
        finally
        {
            foreach (var v in inputs)
            {
                v.Dispose();
            }
        }

        return (samples.Min(), Statistics.Median(samples));
    }

    private static ModelProto Norm(bool fused)
    {
        var g = new OnnxGraphBuilder("norm");
        g.Input("x", OnnxGraphBuilder.Float, 1, "T", Hidden);
        g.Input("residual", OnnxGraphBuilder.Float, 1, "T", Hidden);
        string w = Constant(g, "w", [Hidden], 1);
        string normed, sum;
        if (fused)
        {
            var outs = g.NodeMulti("SkipSimplifiedLayerNormalization", ["x", "residual", w], 4, "/norm", "com.microsoft", ("epsilon", 1e-6f));
            (normed, sum) = (outs[0], outs[3]);
        }
        else
        {
            sum = g.Node("Add", ["x", "residual"], "/add");
            string sq = g.Node("Pow", [sum, g.ConstFloat("/two", 2f)], "/pow");
            string mean = g.Node("ReduceMean", [sq, g.ConstInt64("/axes", -1)], "/mean", ("keepdims", 1L));
            string rms = g.Node("Sqrt", [g.Node("Add", [mean, g.ConstFloat("/eps", 1e-6f)], "/add_eps")], "/sqrt");
            normed = g.Node("Mul", [g.Node("Div", [sum, rms], "/div"), w], "/scale");
        }

        return Outputs(g, normed, sum);
    }

    private static ModelProto Qkv(bool packed)
    {
        var g = new OnnxGraphBuilder("qkv");
        g.Input("x", OnnxGraphBuilder.Float, 1, "T", Hidden);
        if (packed)
        {
            string y = g.Node("Add", [g.Node("MatMul", ["x", Constant(g, "w", [Hidden, QOut + (2 * KvOut)], 2)], "/mm"), Constant(g, "b", [QOut + (2 * KvOut)], 3)], "/bias");
            var parts = g.NodeMulti("Split", [y, g.ConstInt64("/split", QOut, KvOut, KvOut)], 3, "/split", null, ("axis", -1L));
            return Outputs(g, parts);
        }

        var outs = new[] { ("q", QOut), ("k", KvOut), ("v", KvOut) }.Select((p, i) =>
            g.Node("Add", [g.Node("MatMul", ["x", Constant(g, p.Item1 + "_w", [Hidden, p.Item2], 10 + i)], "/" + p.Item1), Constant(g, p.Item1 + "_b", [p.Item2], 20 + i)], "/" + p.Item1 + "_bias")).ToArray();
        return Outputs(g, outs);
    }

    private static ModelProto GateUp(bool packed)
    {
        var g = new OnnxGraphBuilder("gate_up");
        g.Input("x", OnnxGraphBuilder.Float, 1, "T", Hidden);
        string gate, up;
        if (packed)
        {
            var gu = g.NodeMulti("Split", [g.Node("MatMul", ["x", Constant(g, "w", [Hidden, 2 * Inter], 4)], "/mm"), g.ConstInt64("/split", Inter, Inter)], 2, "/split", null, ("axis", -1L));
            (gate, up) = (gu[0], gu[1]);
        }
        else
        {
            gate = g.Node("MatMul", ["x", Constant(g, "gate_w", [Hidden, Inter], 5)], "/gate");
            up = g.Node("MatMul", ["x", Constant(g, "up_w", [Hidden, Inter], 6)], "/up");
        }

        string silu = g.Node("Mul", [gate, g.Node("Sigmoid", [gate], "/sigmoid")], "/silu");
        return Outputs(g, g.Node("Mul", [silu, up], "/act"));
    }

    private static string Constant(OnnxGraphBuilder g, string name, long[] dims, int seed)
    {
        var random = new Random(seed);
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var t = new TensorProto { Name = name, DataType = OnnxGraphBuilder.Float };
        t.Dims.AddRange(dims);
        t.FloatData.AddRange(Enumerable.Range(0, (int)count).Select(_ => (float)((random.NextDouble() - 0.5) * 0.04)));
        g.Graph.Initializer.Add(t);
        return name;
    }

    private static ModelProto Outputs(OnnxGraphBuilder g, params string[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            g.NodeWithOutputs("Identity", [values[i]], ["out" + i], "/out" + i, null);
            g.Output("out" + i, OnnxGraphBuilder.Float, 1, "T", "N" + i);
        }

        return g.ToModel("edgeinfinite-benchmarks");
    }
}
