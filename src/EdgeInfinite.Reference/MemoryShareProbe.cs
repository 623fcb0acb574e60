using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Reference;

/// <summary>
/// Measures, on a model running with full attention, whether a memory could find one token again: for the last
/// position's query of every head, the share of one stored token (typically a fact's value) among a range of stored
/// tokens, under softmax and under the memory's feature maps. A frozen model whose retrieval head gives the token a
/// large softmax share but a uniform-like linear share loses the fact when it is compressed.
/// </summary>
public static class MemoryShareProbe
{
    /// <summary>Runs the probe.</summary>
    /// <param name="weights">The model.</param>
    /// <param name="ids">The prompt; its last position asks.</param>
    /// <param name="position">The token whose share is measured.</param>
    /// <param name="storedStart">The first stored token (the sink ends here).</param>
    /// <param name="storedEnd">One past the last stored token (the window starts here).</param>
    /// <returns>One row per layer and query head.</returns>
    public static IReadOnlyList<MemoryShare> Measure(TransformerWeights weights, IReadOnlyList<int> ids, int position, int storedStart, int storedEnd)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(ids);
        if (storedStart < 0 || position < storedStart || position >= storedEnd || storedEnd > ids.Count - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"Need 0 <= storedStart ({storedStart}) <= position ({position}) < storedEnd ({storedEnd}) < the prompt's last position ({ids.Count - 1}).");
        }

        var a = weights.Architecture;
        int hd = a.HeadDim, group = a.NumHeads / a.NumKvHeads;
        var rows = new List<MemoryShare>();
        new ReferenceTransformer(weights).Forward(ids, (layer, q, k) =>
        {
            var query = q[^1];
            for (int head = 0; head < a.NumHeads; head++)
            {
                int kvh = head / group;
                var scores = new double[storedEnd - storedStart];
                var elu = new double[scores.Length];
                var exp = new double[scores.Length];
                for (int s = storedStart; s < storedEnd; s++)
                {
                    double dot = 0, e = 0, x = 0;
                    for (int i = 0; i < hd; i++)
                    {
                        double qi = query[head * hd + i], ki = k[s][kvh * hd + i];
                        dot += qi * ki;
                        e += EluPlusOne(qi) * EluPlusOne(ki);
                        x += ExponentialFeatures.Apply(qi) * ExponentialFeatures.Apply(ki);
                    }

                    scores[s - storedStart] = dot / Math.Sqrt(hd);
                    elu[s - storedStart] = e;
                    exp[s - storedStart] = x;
                }

                double max = scores.Max();
                var softmax = scores.Select(v => Math.Exp(v - max)).ToArray();
                int at = position - storedStart;
                rows.Add(new MemoryShare(layer, head, softmax[at] / softmax.Sum(), elu[at] / elu.Sum(), exp[at] / exp.Sum(), 1.0 / scores.Length));
            }
        });
        return rows;
    }

    private static double EluPlusOne(double x) => x > 0 ? x + 1 : Math.Exp(x);
}
