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
            // σ of every stored key once per KV head; its query heads share them.
            var stored = Enumerable.Range(0, a.NumKvHeads).Select(kvh => Enumerable.Range(storedStart, storedEnd - storedStart).Select(t => k[t].AsSpan(kvh * hd, hd).ToArray()).ToArray()).ToArray();
            var eluKeys = stored.Select(keys => keys.Select(key => ReferenceLongRoute.Sigma(MemoryFeatureMap.EluPlusOne, 0, ExponentialFeatures.DefaultScale, key)).ToArray()).ToArray();
            var expKeys = stored.Select(keys => keys.Select(key => ReferenceLongRoute.Sigma(MemoryFeatureMap.Exponential, 0, ExponentialFeatures.DefaultScale, key)).ToArray()).ToArray();
            int at = position - storedStart;
            for (int head = 0; head < a.NumHeads; head++)
            {
                int kvh = head / group;
                var query = q[^1].AsSpan(head * hd, hd).ToArray();
                var scores = stored[kvh].Select(key => ReferenceLongRoute.Dot(query, key) / Math.Sqrt(hd)).ToArray();
                double max = scores.Max();
                var softmax = scores.Select(v => Math.Exp(v - max)).ToArray();
                rows.Add(new MemoryShare(layer, head, softmax[at] / softmax.Sum(), Share(MemoryFeatureMap.EluPlusOne, query, eluKeys[kvh], at), Share(MemoryFeatureMap.Exponential, query, expKeys[kvh], at), 1.0 / scores.Length));
            }
        });
        return rows;
    }

    /// <summary>The stored token's share of a linear read: σ(q)·σ(k_at) over Σ σ(q)·σ(k).</summary>
    private static double Share(MemoryFeatureMap featureMap, double[] query, double[][] sigmaKeys, int at)
    {
        var sigmaQuery = ReferenceLongRoute.Sigma(featureMap, 0, ExponentialFeatures.DefaultScale, query);
        var weights = sigmaKeys.Select(key => ReferenceLongRoute.Dot(sigmaQuery, key)).ToArray();
        return weights[at] / weights.Sum();
    }
}
