using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;
using static EdgeInfinite.Reference.ReferenceTransformer;

namespace EdgeInfinite.Reference;

/// <summary>
/// The long route of DESIGN §1 in plain float64, the oracle for the ONNX engine. Keys are kept before RoPE and
/// rotated at their cache-relative position whenever attention reads them, so this code needs none of the
/// engine's re-rotation tricks. Stream tokens in with <see cref="Process"/>; it follows the engine's schedule:
/// chunks of at most L tokens; before a chunk, while sink + window + chunk would exceed S + W + L, the window's
/// oldest L tokens are written to memory (delta or linear rule) or dropped when memory is off.
/// </summary>
public sealed class ReferenceLongRoute
{
    private readonly TransformerWeights _w;
    private readonly ModelArchitecture _a;
    private readonly LongRouteSettings _settings;
    private readonly double[] _invFreq;
    private readonly double[][][] _gateW; // [layer][head][hidden]
    private readonly double[][] _gateB;   // [layer][head]
    private readonly bool _memoryOn;
    private readonly List<double[]>[] _keys;   // per layer, per cached token: [kvHeads·Dh] before RoPE
    private readonly List<double[]>[] _values;
    private readonly double[][][] _m;          // [layer][kvHead][Dh·Dh]
    private readonly double[][][] _z;          // [layer][kvHead][Dh]

    /// <summary>Initializes a new instance of the <see cref="ReferenceLongRoute"/> class.</summary>
    /// <param name="weights">The base weights.</param>
    /// <param name="settings">S, W, L, rule, ε.</param>
    /// <param name="gateWeights">Per layer, <c>w</c> row-major <c>[hidden, heads]</c> (the package layout).</param>
    /// <param name="gateBiases">Per layer, <c>b</c> <c>[heads]</c>.</param>
    /// <param name="memoryOn">Whether evicted tokens enter memory.</param>
    public ReferenceLongRoute(TransformerWeights weights, LongRouteSettings settings, IReadOnlyList<float[]> gateWeights, IReadOnlyList<float[]> gateBiases, bool memoryOn = true)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(gateWeights);
        ArgumentNullException.ThrowIfNull(gateBiases);
        _w = weights;
        _a = weights.Architecture;
        _settings = settings;
        _invFreq = RotaryFrequencies.Compute(_a);
        _memoryOn = memoryOn;
        int layers = _a.NumLayers, heads = _a.NumHeads, d = _a.HiddenSize, hd = _a.HeadDim;
        _gateW = Enumerable.Range(0, layers).Select(l => Enumerable.Range(0, heads).Select(h => Enumerable.Range(0, d).Select(i => (double)gateWeights[l][i * heads + h]).ToArray()).ToArray()).ToArray();
        _gateB = Enumerable.Range(0, layers).Select(l => gateBiases[l].Select(b => (double)b).ToArray()).ToArray();
        _keys = Enumerable.Range(0, layers).Select(_ => new List<double[]>()).ToArray();
        _values = Enumerable.Range(0, layers).Select(_ => new List<double[]>()).ToArray();
        _m = Enumerable.Range(0, layers).Select(_ => Enumerable.Range(0, _a.NumKvHeads).Select(_ => new double[hd * hd]).ToArray()).ToArray();
        _z = Enumerable.Range(0, layers).Select(_ => Enumerable.Range(0, _a.NumKvHeads).Select(_ => new double[hd]).ToArray()).ToArray();
    }

    /// <summary>Gets the number of tokens written to memory.</summary>
    public long TokensInMemory { get; private set; }

    /// <summary>Gets the number of tokens processed.</summary>
    public long TokenCount { get; private set; }

    private int Capacity => _settings.SinkTokens + _settings.WindowTokens + _settings.SegmentTokens;

    /// <summary>
    /// Processes tokens and returns each token's logits. Chunks end on the stream grid <c>S + k·L</c> (the first
    /// chunk may also hold the sink), so the result does not depend on how the caller splits the stream.
    /// </summary>
    /// <param name="ids">The tokens.</param>
    /// <returns><c>[ids.Count][vocab]</c>.</returns>
    public double[][] Process(IReadOnlyList<int> ids) => ProcessChunks(ids, bounded: true);

    /// <summary>
    /// Short → long conversion: processes a fresh stream with full attention (the short route), then moves whole
    /// blocks of L after the sink into memory until the rest fits sink + window + segment.
    /// </summary>
    /// <param name="ids">The history, on an empty state.</param>
    /// <returns>The logits of the history under full attention.</returns>
    public double[][] ProcessFullAttentionThenConvert(IReadOnlyList<int> ids)
    {
        if (TokenCount != 0)
        {
            throw new InvalidOperationException("Conversion starts from an empty state.");
        }

        var logits = ProcessChunks(ids, bounded: false);
        while (_keys[0].Count > Capacity)
        {
            EvictOldestWindowTokens(_settings.SegmentTokens);
        }

        return logits;
    }

    private double[][] ProcessChunks(IReadOnlyList<int> ids, bool bounded)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var result = new List<double[]>(ids.Count);
        int s = _settings.SinkTokens, l = _settings.SegmentTokens;
        int start = 0;
        while (start < ids.Count)
        {
            long end = TokenCount < s ? s + l : s + ((TokenCount - s) / l + 1) * l;
            var chunk = ids.Skip(start).Take((int)Math.Min(end - TokenCount, ids.Count - start)).ToArray();
            while (bounded && _keys[0].Count + chunk.Length > Capacity)
            {
                EvictOldestWindowTokens(l);
            }

            result.AddRange(Chunk(chunk));
            TokenCount += chunk.Length;
            start += chunk.Length;
        }

        return [.. result];
    }

    private void EvictOldestWindowTokens(int count)
    {
        int hd = _a.HeadDim;
        for (int layer = 0; layer < _a.NumLayers; layer++)
        {
            var keys = _keys[layer].GetRange(_settings.SinkTokens, count);
            var values = _values[layer].GetRange(_settings.SinkTokens, count);
            _keys[layer].RemoveRange(_settings.SinkTokens, count);
            _values[layer].RemoveRange(_settings.SinkTokens, count);
            if (!_memoryOn)
            {
                continue;
            }

            for (int kvh = 0; kvh < _a.NumKvHeads; kvh++)
            {
                var m = _m[layer][kvh];
                var z = _z[layer][kvh];
                var sigma = keys.Select(k => Sigma(k.AsSpan(kvh * hd, hd))).ToArray();
                if (_settings.FeatureMap == MemoryFeatureMap.L2Normalized && _settings.UpdateRule == MemoryUpdateRule.Delta)
                {
                    // Unit-length keys: the delta rule token by token, each recall from the memory as the previous token left it.
                    for (int t = 0; t < count; t++)
                    {
                        var recalled = Read(sigma[t], m, z);
                        for (int i = 0; i < hd; i++)
                        {
                            for (int j = 0; j < hd; j++)
                            {
                                m[i * hd + j] += sigma[t][i] * (values[t][kvh * hd + j] - recalled[j]);
                            }

                            z[i] += sigma[t][i];
                        }
                    }

                    continue;
                }

                var deltas = new double[count][];
                for (int t = 0; t < count; t++)
                {
                    deltas[t] = values[t].AsSpan(kvh * hd, hd).ToArray();
                    if (_settings.UpdateRule == MemoryUpdateRule.Delta)
                    {
                        var recalled = Read(sigma[t], m, z);
                        for (int j = 0; j < hd; j++)
                        {
                            deltas[t][j] -= recalled[j];
                        }
                    }
                }

                for (int t = 0; t < count; t++)
                {
                    for (int i = 0; i < hd; i++)
                    {
                        for (int j = 0; j < hd; j++)
                        {
                            m[i * hd + j] += sigma[t][i] * deltas[t][j];
                        }

                        z[i] += sigma[t][i];
                    }
                }
            }
        }

        TokensInMemory += _memoryOn ? count : 0;
    }

    private double[][] Chunk(int[] ids)
    {
        int n = ids.Length, d = _a.HiddenSize, hd = _a.HeadDim, heads = _a.NumHeads, kvHeads = _a.NumKvHeads;
        int past = _keys[0].Count;
        bool gateOn = _memoryOn && TokensInMemory > 0;
        var h = ids.Select(id => Enumerable.Range(0, d).Select(j => (double)_w.Embedding[(long)id * d + j]).ToArray()).ToArray();
        for (int layer = 0; layer < _a.NumLayers; layer++)
        {
            var l = _w.Layers[layer];
            var x = h.Select(v => RmsNorm(v, l.InputNorm, _a.RmsNormEps)).ToArray();
            var q = new double[n][];
            for (int t = 0; t < n; t++)
            {
                q[t] = Linear(x[t], l.QWeight, l.QBias, heads * hd);
                var k = Linear(x[t], l.KWeight, l.KBias, kvHeads * hd);
                if (l.QNorm is not null && l.KNorm is not null)
                {
                    HeadNorm(q[t], l.QNorm, heads, hd, _a.RmsNormEps);
                    HeadNorm(k, l.KNorm, kvHeads, hd, _a.RmsNormEps);
                }

                _keys[layer].Add(k);
                _values[layer].Add(Linear(x[t], l.VWeight, l.VBias, kvHeads * hd));
            }

            // Every cached key rotated at its cache index: sink 0..S−1, then the window, then this chunk.
            var rotatedKeys = _keys[layer].Select((k, pos) => { var r = (double[])k.Clone(); Rotate(r, kvHeads, hd, _invFreq, pos); return r; }).ToArray();
            for (int t = 0; t < n; t++)
            {
                var qr = (double[])q[t].Clone();
                Rotate(qr, heads, hd, _invFreq, past + t);
                var output = new double[heads * hd];
                for (int head = 0; head < heads; head++)
                {
                    int kvh = head / _a.GroupSize;
                    var local = LocalAttention(qr.AsSpan(head * hd, hd).ToArray(), rotatedKeys, _values[layer], kvh, past + t);
                    if (gateOn)
                    {
                        var mem = Read(Sigma(q[t].AsSpan(head * hd, hd)), _m[layer][kvh], _z[layer][kvh]);
                        double g = 1 / (1 + Math.Exp(-(Dot(_gateW[layer][head], x[t]) + _gateB[layer][head])));
                        for (int j = 0; j < hd; j++)
                        {
                            local[j] = g * mem[j] + (1 - g) * local[j];
                        }
                    }

                    local.CopyTo(output, head * hd);
                }

                Add(h[t], Linear(output, l.OWeight, l.OBias, d));
                Add(h[t], Mlp(l, h[t], _a));
            }
        }

        return h.Select(v => Linear(RmsNorm(v, _w.FinalNorm, _a.RmsNormEps), _w.LmHead, null, _a.VocabSize)).ToArray();
    }

    private double[] LocalAttention(double[] q, double[][] keys, List<double[]> values, int kvh, int lastVisible)
    {
        int hd = _a.HeadDim;
        var scores = new double[lastVisible + 1];
        double max = double.NegativeInfinity;
        for (int s = 0; s <= lastVisible; s++)
        {
            scores[s] = Dot(q, keys[s].AsSpan(kvh * hd, hd).ToArray()) / Math.Sqrt(hd);
            max = Math.Max(max, scores[s]);
        }

        double sum = 0;
        var o = new double[hd];
        for (int s = 0; s <= lastVisible; s++)
        {
            double p = Math.Exp(scores[s] - max);
            sum += p;
            for (int j = 0; j < hd; j++)
            {
                o[j] += p * values[s][kvh * hd + j];
            }
        }

        for (int j = 0; j < hd; j++)
        {
            o[j] /= sum;
        }

        return o;
    }

    private double[] Read(double[] sigmaQ, double[] m, double[] z)
    {
        int hd = _a.HeadDim;
        // Unit-length features read without the normaliser (MemoryFeatureMap.L2Normalized).
        double denominator = _settings.FeatureMap == MemoryFeatureMap.L2Normalized ? 1 : Dot(sigmaQ, z) + _settings.Epsilon;
        var r = new double[hd];
        for (int i = 0; i < hd; i++)
        {
            for (int j = 0; j < hd; j++)
            {
                r[j] += sigmaQ[i] * m[i * hd + j];
            }
        }

        for (int j = 0; j < hd; j++)
        {
            r[j] /= denominator;
        }

        return r;
    }

    private double[] Sigma(ReadOnlySpan<double> x) => Sigma(_settings.FeatureMap, _settings.Epsilon, _settings.FeatureScale, x);

    /// <summary>The memory's σ of one query or key head.</summary>
    internal static double[] Sigma(MemoryFeatureMap featureMap, double epsilon, double featureScale, ReadOnlySpan<double> x)
    {
        var s = new double[x.Length];
        if (featureMap == MemoryFeatureMap.L2Normalized)
        {
            double squares = 0;
            foreach (double v in x)
            {
                squares += v * v;
            }

            double scale = 1 / Math.Sqrt(squares + epsilon);
            for (int i = 0; i < x.Length; i++)
            {
                s[i] = x[i] * scale;
            }

            return s;
        }

        for (int i = 0; i < x.Length; i++)
        {
            s[i] = featureMap == MemoryFeatureMap.Exponential ? ExponentialFeatures.Apply(x[i], featureScale) : x[i] > 0 ? x[i] + 1 : Math.Exp(x[i]);
        }

        return s;
    }

    internal static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
