using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Samples.LongDocument;

/// <summary>Shows the prefill's progress on stderr (a terminal line that is overwritten), at most every 2%.</summary>
internal sealed class PrefillReporter : IProgress<PrefillProgress>
{
    private int _lastPercent = -1;

    public void Report(PrefillProgress value)
    {
        if (Console.IsErrorRedirected || value.Total == 0)
        {
            return;
        }

        int percent = (int)(100L * value.Processed / value.Total);
        if (percent >= _lastPercent + 2 || value.Processed == value.Total)
        {
            _lastPercent = percent;
            Console.Error.Write($"\r[prefill {value.Processed:N0}/{value.Total:N0} tokens, {percent}%]");
        }
    }
}
