using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Reference;

/// <summary>
/// A plain float64 forward pass of the supported families with full causal attention: the short route as
/// readable code, the oracle that converted graphs are checked against.
/// </summary>
public sealed class ReferenceTransformer
{
    private readonly TransformerWeights _w;
    private readonly ModelArchitecture _a;
    private readonly double[] _invFreq;

    /// <summary>Initializes a new instance of the <see cref="ReferenceTransformer"/> class.</summary>
    /// <param name="weights">The model weights.</param>
    public ReferenceTransformer(TransformerWeights weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        _w = weights;
        _a = weights.Architecture;
        _invFreq = RotaryFrequencies.Compute(_a);
    }

    /// <summary>Runs the model on a sequence and returns the logits of every position.</summary>
    /// <param name="ids">The token ids.</param>
    /// <returns><c>[ids.Length][vocab]</c> logits.</returns>
    public double[][] Forward(IReadOnlyList<int> ids) => Forward(ids, null);

    /// <summary>Runs the model and shows each layer's queries and keys before RoPE (what the memory sees).</summary>
    /// <param name="ids">The token ids.</param>
    /// <param name="beforeRope">Called per layer with its index, the queries <c>[n][heads·Dh]</c> and the keys <c>[n][kvHeads·Dh]</c>.</param>
    /// <returns><c>[ids.Length][vocab]</c> logits.</returns>
    public double[][] Forward(IReadOnlyList<int> ids, Action<int, double[][], double[][]>? beforeRope)
    {
        ArgumentNullException.ThrowIfNull(ids);
        int n = ids.Count;
        int d = _a.HiddenSize;
        var h = new double[n][];
        for (int t = 0; t < n; t++)
        {
            h[t] = new double[d];
            for (int j = 0; j < d; j++)
            {
                h[t][j] = _w.Embedding[(long)ids[t] * d + j];
            }
        }

        for (int li = 0; li < _w.Layers.Count; li++)
        {
            var layer = _w.Layers[li];
            var attn = Attention(layer, h, beforeRope is null ? null : (q, k) => beforeRope(li, q, k));
            for (int t = 0; t < n; t++)
            {
                Add(h[t], attn[t]);
            }

            for (int t = 0; t < n; t++)
            {
                Add(h[t], Mlp(layer, h[t], _a));
            }
        }

        var logits = new double[n][];
        for (int t = 0; t < n; t++)
        {
            logits[t] = Linear(RmsNorm(h[t], _w.FinalNorm, _a.RmsNormEps), _w.LmHead, null, _a.VocabSize);
        }

        return logits;
    }

    internal static double[] Mlp(LayerWeights layer, double[] h, ModelArchitecture a)
    {
        var x = RmsNorm(h, layer.PostAttentionNorm, a.RmsNormEps);
        var g = Linear(x, layer.GateWeight, null, a.IntermediateSize);
        var u = Linear(x, layer.UpWeight, null, a.IntermediateSize);
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = g[i] / (1 + Math.Exp(-g[i])) * u[i];
        }

        return Linear(g, layer.DownWeight, null, a.HiddenSize);
    }

    private double[][] Attention(LayerWeights l, double[][] h, Action<double[][], double[][]>? beforeRope)
    {
        int n = h.Length;
        int hd = _a.HeadDim;
        int heads = _a.NumHeads;
        int kvHeads = _a.NumKvHeads;
        var q = new double[n][];
        var k = new double[n][];
        var v = new double[n][];
        for (int t = 0; t < n; t++)
        {
            var x = RmsNorm(h[t], l.InputNorm, _a.RmsNormEps);
            q[t] = Linear(x, l.QWeight, l.QBias, heads * hd);
            k[t] = Linear(x, l.KWeight, l.KBias, kvHeads * hd);
            v[t] = Linear(x, l.VWeight, l.VBias, kvHeads * hd);
            if (l.QNorm is not null && l.KNorm is not null)
            {
                HeadNorm(q[t], l.QNorm, heads, hd, _a.RmsNormEps);
                HeadNorm(k[t], l.KNorm, kvHeads, hd, _a.RmsNormEps);
            }
        }

        beforeRope?.Invoke(q.Select(r => (double[])r.Clone()).ToArray(), k.Select(r => (double[])r.Clone()).ToArray());
        for (int t = 0; t < n; t++)
        {
            Rotate(q[t], heads, hd, _invFreq, t);
            Rotate(k[t], kvHeads, hd, _invFreq, t);
        }

        var outputs = new double[n][];
        double scale = 1.0 / Math.Sqrt(hd);
        for (int t = 0; t < n; t++)
        {
            var o = new double[heads * hd];
            for (int head = 0; head < heads; head++)
            {
                int kvh = head / _a.GroupSize;
                var scores = new double[t + 1];
                double max = double.NegativeInfinity;
                for (int s = 0; s <= t; s++)
                {
                    double dot = 0;
                    for (int i = 0; i < hd; i++)
                    {
                        dot += q[t][head * hd + i] * k[s][kvh * hd + i];
                    }

                    scores[s] = dot * scale;
                    max = Math.Max(max, scores[s]);
                }

                double sum = 0;
                for (int s = 0; s <= t; s++)
                {
                    scores[s] = Math.Exp(scores[s] - max);
                    sum += scores[s];
                }

                for (int s = 0; s <= t; s++)
                {
                    double p = scores[s] / sum;
                    for (int i = 0; i < hd; i++)
                    {
                        o[head * hd + i] += p * v[s][kvh * hd + i];
                    }
                }
            }

            outputs[t] = Linear(o, l.OWeight, l.OBias, _a.HiddenSize);
        }

        return outputs;
    }

    internal static void Rotate(double[] x, int heads, int hd, double[] invFreq, int position)
    {
        int half = hd / 2;
        for (int head = 0; head < heads; head++)
        {
            int b = head * hd;
            for (int i = 0; i < half; i++)
            {
                double angle = position * invFreq[i];
                double c = Math.Cos(angle), s = Math.Sin(angle);
                double x1 = x[b + i], x2 = x[b + i + half];
                x[b + i] = x1 * c - x2 * s;
                x[b + i + half] = x2 * c + x1 * s;
            }
        }
    }

    internal static void HeadNorm(double[] x, float[] weight, int heads, int hd, double eps)
    {
        for (int head = 0; head < heads; head++)
        {
            var normed = RmsNorm(x.AsSpan(head * hd, hd).ToArray(), weight, eps);
            normed.CopyTo(x, head * hd);
        }
    }

    internal static double[] RmsNorm(double[] x, float[] weight, double eps)
    {
        double ms = 0;
        foreach (double e in x)
        {
            ms += e * e;
        }

        double r = 1.0 / Math.Sqrt(ms / x.Length + eps);
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = x[i] * r * weight[i];
        }

        return y;
    }

    internal static double[] Linear(double[] x, float[] w, float[]? bias, int outFeatures)
    {
        int inFeatures = x.Length;
        var y = new double[outFeatures];
        for (int o = 0; o < outFeatures; o++)
        {
            double acc = bias is null ? 0 : bias[o];
            long row = (long)o * inFeatures;
            for (int i = 0; i < inFeatures; i++)
            {
                acc += w[row + i] * x[i];
            }

            y[o] = acc;
        }

        return y;
    }

    internal static void Add(double[] target, double[] delta)
    {
        for (int i = 0; i < target.Length; i++)
        {
            target[i] += delta[i];
        }
    }
}
