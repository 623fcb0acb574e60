using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;

namespace EdgeInfinite.SideBySide.Runners;

/// <summary>
/// LLamaSharp (llama.cpp, CPU backend) on the same weights written as GGUF (float32, or quantized by llama.cpp's own
/// quantizer), with the KV cache type and flash attention of <paramref name="settings"/>; context sized to the request.
/// </summary>
internal sealed class LlamaSharpRunner(string gguf, LlamaSharpSettings settings, int? threads) : IModeRunner
{
    public (double TtftMs, double DecodeTokensPerSecond) Run(int[] prompt, int decodeTokens)
    {
        var parameters = new ModelParams(gguf)
        {
            ContextSize = (uint)(prompt.Length + decodeTokens + 8),
            BatchSize = 512,
            UBatchSize = 512,
            TypeK = settings.KvCache,
            TypeV = settings.KvCache,
            FlashAttention = settings.FlashAttention,
            Threads = threads,
        };
        using var weights = LLamaWeights.LoadFromFile(parameters);

        // The clock includes the per-request allocation (the context's KV cache), as for the other engines.
        var clock = Stopwatch.StartNew();
        using var context = weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int start = 0; start < prompt.Length; start += 512)
        {
            batch.Clear();
            int n = Math.Min(512, prompt.Length - start);
            for (int i = 0; i < n; i++)
            {
                batch.Add((LLamaToken)prompt[start + i], start + i, LLamaSeqId.Zero, logits: start + i == prompt.Length - 1);
            }

            Check(context.Decode(batch));
        }

        int next = ArgMax(context.NativeHandle.GetLogitsIth(batch.TokenCount - 1));
        double ttft = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        for (int i = 0; i < decodeTokens; i++)
        {
            batch.Clear();
            batch.Add((LLamaToken)next, prompt.Length + i, LLamaSeqId.Zero, logits: true);
            Check(context.Decode(batch));
            next = ArgMax(context.NativeHandle.GetLogitsIth(0));
        }

        return (ttft, decodeTokens / clock.Elapsed.TotalSeconds);
    }

    public void Dispose()
    {
    }

    private static void Check(DecodeResult result)
    {
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama.cpp decode failed: {result}");
        }
    }

    private static int ArgMax(Span<float> logits)
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
