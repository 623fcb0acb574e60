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

    /// <summary>
    /// Picks the next token. NaN logits are never picked (treated as −∞) and ±∞ is clamped to the largest finite float,
    /// so neither corrupt logits nor a tiny temperature can make the least likely token win; temperature scaling works on
    /// differences from the maximum in float64 (<c>(l − max) / T ≤ 0</c>), which cannot overflow for any T &gt; 0.
    /// </summary>
    /// <exception cref="InvalidOperationException">Every logit is NaN (the model or its state is corrupt).</exception>
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

        Sanitize(span);
        if (_options.Greedy || _options.Temperature == 0f)
        {
            return ArgMax(span);
        }

        var logits = span.ToArray();

        var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
        int k = _options.TopK > 0 ? Math.Min(_options.TopK, order.Length) : order.Length;
        var probs = new double[k];
        double max = logits[order[0]];
        double temperature = _options.Temperature;
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            probs[i] = Math.Exp((logits[order[i]] - max) / temperature);
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

        return order[0];
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

    private static void Sanitize(Span<float> logits)
    {
        bool any = false;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (float.IsNaN(v))
            {
                logits[i] = float.NegativeInfinity;
            }
            else
            {
                any = true;
                logits[i] = Math.Clamp(v, -float.MaxValue, float.MaxValue);
            }
        }

        if (!any)
        {
            throw new InvalidOperationException("Every logit is NaN: the model or its state is corrupt, so no token can be chosen.");
        }
    }
}
