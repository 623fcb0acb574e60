namespace EdgeInfinite.Onnx.Generation;

/// <summary>Picks the next token from logits: repetition penalty, then greedy or temperature → top-k → top-p sampling.</summary>
internal sealed class TokenSampler
{
    private readonly GenerationOptions _options;
    private readonly Random _random;

    public TokenSampler(GenerationOptions options)
    {
        _options = options;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
    }

    public int Next(Span<float> span, IReadOnlyCollection<int> context)
    {
        if (_options.RepetitionPenalty != 1f)
        {
            float p = _options.RepetitionPenalty;
            foreach (int id in context.Distinct())
            {
                span[id] = span[id] < 0 ? span[id] * p : span[id] / p;
            }
        }

        if (_options.Greedy || _options.Temperature == 0f)
        {
            return ArgMax(span);
        }

        var logits = span.ToArray();

        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
        int k = _options.TopK > 0 ? Math.Min(_options.TopK, order.Length) : order.Length;
        var probs = new double[k];
        double max = logits[order[0]] / _options.Temperature;
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            probs[i] = Math.Exp(logits[order[i]] / _options.Temperature - max);
            sum += probs[i];
        }

        // Keep the smallest prefix whose mass reaches top-p (always at least one token).
        int keep = k;
        if (_options.TopP < 1f)
        {
            double mass = 0;
            for (int i = 0; i < k; i++)
            {
                mass += probs[i] / sum;
                if (mass >= _options.TopP)
                {
                    keep = i + 1;
                    break;
                }
            }
        }

        double total = 0;
        for (int i = 0; i < keep; i++)
        {
            total += probs[i];
        }

        double r = _random.NextDouble() * total;
        for (int i = 0; i < keep; i++)
        {
            r -= probs[i];
            if (r < 0)
            {
                return order[i];
            }
        }

        return order[keep - 1];
    }

    public static int ArgMax(ReadOnlySpan<float> logits)
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
