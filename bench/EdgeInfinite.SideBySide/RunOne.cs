using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SideBySide.Runners;

namespace EdgeInfinite.SideBySide;

/// <summary>The child side: one engine, one length; a warm-up run on a short prompt first, then the measured run.</summary>
internal static class RunOne
{
    public static int Run(IReadOnlyDictionary<string, string> a)
    {
        string mode = a["--mode"];
        int length = Arguments.ParseInt("--length", a["--length"]);
        int decode = Arguments.ParseInt("--decode", a["--decode"]);
        int? threads = a.TryGetValue("--threads", out var t) ? Arguments.ParseInt("--threads", t) : null;
        string package = a["--package"];
        using IModeRunner runner = mode switch
        {
            "long" => new EdgeInfiniteRunner(package, Route.Long, memory: true, threads),
            "memoff" => new EdgeInfiniteRunner(package, Route.Long, memory: false, threads),
            "short" => new EdgeInfiniteRunner(package, Route.Short, memory: false, threads),
            "genai" => new GenAiRunner(package, threads),
            "llamasharp" => new LlamaSharpRunner(Gguf(a, mode), LlamaSharpSettings.User, threads),
            "llamasharp-ref" => new LlamaSharpRunner(Gguf(a, mode), LlamaSharpSettings.Reference, threads),
            _ => throw new ArgumentException($"unknown mode '{mode}' (long, memoff, short, genai, llamasharp, llamasharp-ref)"),
        };
        int vocab = Vocabulary(package);
        var random = new Random(length);
        runner.Run(Enumerable.Range(0, 64).Select(_ => random.Next(vocab)).ToArray(), 4);
        var prompt = Enumerable.Range(0, length).Select(_ => random.Next(vocab)).ToArray();
        var (ttft, tps) = runner.Run(prompt, decode);
        using var self = Process.GetCurrentProcess();
        var row = new ChildResult(Math.Round(ttft, 3), Math.Round(tps, 3), Math.Round(self.PeakWorkingSet64 / (1024.0 * 1024.0), 1));
        Console.WriteLine(JsonSerializer.Serialize(row, new JsonSerializerOptions(BenchJson.Options) { WriteIndented = false }));
        return 0;
    }

    private static string Gguf(IReadOnlyDictionary<string, string> a, string mode) =>
        a.TryGetValue("--gguf", out var g) ? g : throw new ArgumentException($"{mode} needs --gguf");

    private static int Vocabulary(string package) =>
        Onnx.Packaging.ModelPackage.Open(package).Config.Architecture.VocabSize;
}
