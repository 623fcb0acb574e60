using System.Diagnostics;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace EdgeInfinite.SideBySide.Runners;

/// <summary>
/// ONNX Runtime GenAI's <c>Generator</c> on the package's standard decoder graph: what Semantic Kernel's ONNX
/// connector runs. Greedy, KV buffers sized to the request (<c>max_length</c> = prompt + decode + 1).
/// </summary>
internal sealed class GenAiRunner : IModeRunner
{
    private readonly Config _config;
    private readonly Model _model;

    public GenAiRunner(string package, int? threads)
    {
        _config = new Config(package);
        if (threads is { } t)
        {
            _config.Overlay($"{{\"model\":{{\"decoder\":{{\"session_options\":{{\"intra_op_num_threads\":{t}}}}}}}}}");
        }

        _model = new Model(_config);
    }

    public (double TtftMs, double DecodeTokensPerSecond) Run(int[] prompt, int decodeTokens)
    {
        using var parameters = new GeneratorParams(_model);
        parameters.SetSearchOption("max_length", prompt.Length + decodeTokens + 1);
        parameters.SetSearchOption("do_sample", false);
        var clock = Stopwatch.StartNew();
        using var generator = new Generator(_model, parameters);
        generator.AppendTokens(prompt);
        generator.GenerateNextToken();
        double ttft = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        int produced = 0;
        while (produced < decodeTokens && !generator.IsDone())
        {
            generator.GenerateNextToken();
            produced++;
        }

        return (ttft, produced / clock.Elapsed.TotalSeconds);
    }

    public void Dispose()
    {
        _model.Dispose();
        _config.Dispose();
    }
}
