using EdgeInfinite.ModelBuilder;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>
/// A reduced-precision cache against the float32 cache on the same package weights and tokens, in lock step: the
/// last token's logits of every prefill chunk, then decode steps teacher-forced on the float32 cache's greedy token.
/// </summary>
internal sealed record KvAccuracy(string Variant, int Tokens, string Route, int Positions, double MaxAbsDelta, double MeanAbsDelta, double MaxAbsLogit, int Top1Agree, double MaxDisagreementGap)
{
    public static KvAccuracy Measure(string float32Package, string variantPackage, KvCachePrecision precision, int tokens, int decode, int capacity, string route, int threads, KvScales? scales, int seed)
    {
        using var reference = new ChunkGraphDriver(float32Package, KvCachePrecision.Float32, capacity, threads, null);
        using var variant = new ChunkGraphDriver(variantPackage, precision, capacity, threads, scales);
        var random = new Random(seed);
        int vocab = reference.Architecture.VocabSize;
        int[] prompt = Enumerable.Range(0, tokens).Select(_ => random.Next(vocab)).ToArray();
        var expected = new List<float[]>();
        var actual = new List<float[]>();
        reference.Feed(prompt, l => expected.Add((float[])l.Clone()));
        variant.Feed(prompt, l => actual.Add((float[])l.Clone()));
        for (int i = 0; i < decode; i++)
        {
            int next = KvRunCommand.ArgMax(expected[^1]);
            expected.Add((float[])reference.Feed([next]).Clone());
            actual.Add((float[])variant.Feed([next]).Clone());
        }

        double max = 0, sum = 0, maxLogit = 0, gap = 0;
        long count = 0;
        int agree = 0;
        for (int p = 0; p < expected.Count; p++)
        {
            for (int j = 0; j < vocab; j++)
            {
                double d = Math.Abs((double)expected[p][j] - actual[p][j]);
                max = Math.Max(max, double.IsNaN(d) ? double.PositiveInfinity : d);
                sum += d;
                maxLogit = Math.Max(maxLogit, Math.Abs(expected[p][j]));
                count++;
            }

            int e = KvRunCommand.ArgMax(expected[p]), a = KvRunCommand.ArgMax(actual[p]);
            agree += e == a ? 1 : 0;

            // How far behind, in the float32 cache's own logits, the token the other cache picked was: a near-tie or not.
            gap = Math.Max(gap, expected[p][e] - expected[p][a]);
        }

        return new KvAccuracy(KvVariant.Name(precision), tokens, route, expected.Count, max, sum / count, maxLogit, agree, gap);
    }
}
