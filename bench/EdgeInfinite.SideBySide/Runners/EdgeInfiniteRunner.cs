using System.Diagnostics;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.SideBySide.Runners;

/// <summary>
/// This project's engine on one route: long (memory on), memoff (sink + window) or short (full KV cache); with
/// <paramref name="profilePrefix"/>, ONNX Runtime writes a profile of every run when the runner is disposed.
/// </summary>
internal sealed class EdgeInfiniteRunner(string package, Route route, bool memory, int? threads, string? profilePrefix = null) : IModeRunner
{
    private readonly EdgeInfiniteModel _model = EdgeInfiniteModel.Load(package, new EdgeInfiniteModelOptions { IntraOpThreads = threads, ProfileOutputPrefix = profilePrefix });

    public (double TtftMs, double DecodeTokensPerSecond) Run(int[] prompt, int decodeTokens)
    {
        // The clock includes the per-request allocation (the KV cache), as for the other engines.
        var clock = Stopwatch.StartNew();
        using var state = _model.CreateState(route, prompt.Length + decodeTokens + 1, memory);
        var options = new GenerationOptions { Greedy = true, MaxNewTokens = decodeTokens + 1, StopTokenIds = [] };
        double ttft = 0;
        int produced = 0;
        foreach (var update in new TextGenerator(_model).Generate(state, prompt, options))
        {
            if (update.TokenId is not null && ++produced == 1)
            {
                ttft = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
            }
        }

        return (ttft, (produced - 1) / clock.Elapsed.TotalSeconds);
    }

    public void Dispose() => _model.Dispose();
}
