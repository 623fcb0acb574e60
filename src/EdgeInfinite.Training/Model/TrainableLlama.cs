using EdgeInfinite.Onnx.Attention;
using EdgeInfinite.Onnx.Packaging;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// A Llama decoder whose every weight is trainable (float32): RMSNorm, RoPE (rotate-half, the engine's inverse
/// frequencies), grouped-query causal attention, SwiGLU, tied embeddings. Parameters are kept in the Hugging Face
/// order and layout (<c>[out, in]</c>) of <see cref="ParameterNames"/>.
/// </summary>
internal sealed class TrainableLlama : IDisposable
{
    internal const int PerLayer = 9;
    private readonly BaseModelShape _shape;
    private readonly Tensor[] _parameters;
    private readonly Tensor _cos;
    private readonly Tensor _sin;

    public TrainableLlama(BaseModelShape shape, int seed, int maxTokens)
    {
        shape.Validate();
        TorchRuntime.EnsureInitialized();
        _shape = shape;
        int d = shape.HiddenSize, hd = shape.HeadDim, kv = shape.KvHeads * hd, inter = shape.IntermediateSize;
        var generator = new TorchSharp.torch.Generator((ulong)seed);
        double std = 0.02, residualStd = 0.02 / Math.Sqrt(2.0 * shape.Layers);
        Tensor Normal(double s, params long[] dims) => (randn(dims, generator: generator) * s).DetachFromDisposeScope();
        Tensor Ones(long n) => ones(n).DetachFromDisposeScope();
        var list = new List<Tensor> { Normal(std, shape.VocabSize, d) };
        for (int i = 0; i < shape.Layers; i++)
        {
            list.Add(Ones(d));
            list.Add(Normal(std, shape.Heads * hd, d));
            list.Add(Normal(std, kv, d));
            list.Add(Normal(std, kv, d));
            list.Add(Normal(residualStd, d, shape.Heads * hd));
            list.Add(Ones(d));
            list.Add(Normal(std, inter, d));
            list.Add(Normal(std, inter, d));
            list.Add(Normal(residualStd, d, inter));
        }

        list.Add(Ones(d));
        _parameters = [.. list];
        foreach (var p in _parameters)
        {
            p.requires_grad_(true);
        }

        var invFreq = RotaryEmbedding.InverseFrequencies(Architecture);
        var cos = new float[(long)maxTokens * invFreq.Length];
        var sin = new float[cos.LongLength];
        for (int p = 0; p < maxTokens; p++)
        {
            for (int j = 0; j < invFreq.Length; j++)
            {
                double angle = p * invFreq[j];
                cos[((long)p * invFreq.Length) + j] = (float)Math.Cos(angle);
                sin[((long)p * invFreq.Length) + j] = (float)Math.Sin(angle);
            }
        }

        _cos = tensor(cos, [maxTokens, invFreq.Length]).DetachFromDisposeScope();
        _sin = tensor(sin, [maxTokens, invFreq.Length]).DetachFromDisposeScope();
    }

    /// <summary>Gets the architecture as the package describes it.</summary>
    public ModelArchitecture Architecture => new()
    {
        Family = ModelFamily.Llama,
        VocabSize = _shape.VocabSize,
        HiddenSize = _shape.HiddenSize,
        IntermediateSize = _shape.IntermediateSize,
        NumLayers = _shape.Layers,
        NumHeads = _shape.Heads,
        NumKvHeads = _shape.KvHeads,
        HeadDim = _shape.HeadDim,
        RmsNormEps = _shape.RmsNormEps,
        RopeTheta = _shape.RopeTheta,
        MaxPositionEmbeddings = _shape.MaxPositions,
        TieWordEmbeddings = true,
    };

    /// <summary>Gets the trainable tensors in <see cref="ParameterNames"/> order.</summary>
    public IReadOnlyList<Tensor> Parameters => _parameters;

    /// <summary>Gets the number of trainable values.</summary>
    public long ParameterCount => _parameters.Sum(p => p.numel());

    /// <summary>Gets the Hugging Face tensor names, in <see cref="Parameters"/> order.</summary>
    public IEnumerable<string> ParameterNames
    {
        get
        {
            yield return "model.embed_tokens.weight";
            for (int i = 0; i < _shape.Layers; i++)
            {
                string p = $"model.layers.{i}.";
                yield return p + "input_layernorm.weight";
                yield return p + "self_attn.q_proj.weight";
                yield return p + "self_attn.k_proj.weight";
                yield return p + "self_attn.v_proj.weight";
                yield return p + "self_attn.o_proj.weight";
                yield return p + "post_attention_layernorm.weight";
                yield return p + "mlp.gate_proj.weight";
                yield return p + "mlp.up_proj.weight";
                yield return p + "mlp.down_proj.weight";
            }

            yield return "model.norm.weight";
        }
    }

    /// <summary>Full causal attention over <c>[batch, tokens]</c> ids from position 0.</summary>
    /// <returns>The logits <c>[batch, tokens, vocab]</c>.</returns>
    public Tensor Forward(Tensor ids)
    {
        int b = (int)ids.shape[0], n = (int)ids.shape[1], d = _shape.HiddenSize, hd = _shape.HeadDim;
        int heads = _shape.Heads, kvHeads = _shape.KvHeads, group = heads / kvHeads;
        var embedding = _parameters[0];
        var h = embedding.index_select(0, ids.reshape(-1)).reshape(b, n, d);
        var cos = _cos.narrow(0, 0, n);
        var sin = _sin.narrow(0, 0, n);
        var future = ones(n, n, dtype: ScalarType.Bool).triu(1);

        // Held in a variable until the loop ends: a temporary Scalar can be finalized while the native call runs.
        using TorchSharp.Scalar masked = double.NegativeInfinity;
        for (int i = 0; i < _shape.Layers; i++)
        {
            var w = _parameters.AsSpan(1 + (i * PerLayer), PerLayer);
            var x = RmsNorm(h, w[0]);
            var q = Rotate(F.linear(x, w[1]).reshape(b, n, heads, hd).transpose(1, 2), cos, sin);
            var k = Rotate(F.linear(x, w[2]).reshape(b, n, kvHeads, hd).transpose(1, 2), cos, sin);
            var v = F.linear(x, w[3]).reshape(b, n, kvHeads, hd).transpose(1, 2);
            if (group > 1)
            {
                k = k.repeat_interleave(group, 1);
                v = v.repeat_interleave(group, 1);
            }

            var scores = q.matmul(k.transpose(-2, -1)) * (1.0 / Math.Sqrt(hd));
            var attention = scores.masked_fill(future, masked).softmax(-1).matmul(v);
            h = h + F.linear(attention.transpose(1, 2).reshape(b, n, heads * hd), w[4]);
            var y = RmsNorm(h, w[5]);
            h = h + F.linear(F.silu(F.linear(y, w[6])) * F.linear(y, w[7]), w[8]);
        }

        return F.linear(RmsNorm(h, _parameters[^1]), embedding);
    }

    /// <summary>Overwrites the parameters (for example from a checkpoint).</summary>
    public void Load(IReadOnlyList<float[]> values)
    {
        if (values.Count != _parameters.Length)
        {
            throw new InvalidDataException($"Expected {_parameters.Length} parameter tensors; got {values.Count}.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (values[i].LongLength != _parameters[i].numel())
            {
                throw new InvalidDataException($"Parameter {i} has {values[i].LongLength} values; the model needs {_parameters[i].numel()}.");
            }

            _parameters[i].copy_(tensor(values[i], _parameters[i].shape));
        }
    }

    /// <summary>Copies the parameters out as float32 arrays, in <see cref="ParameterNames"/> order.</summary>
    public float[][] Export() => _parameters.Select(Floats).ToArray();

    public void Dispose()
    {
        foreach (var t in _parameters.Append(_cos).Append(_sin))
        {
            t.Dispose();
        }
    }

    internal static float[] Floats(Tensor t)
    {
        using var f = t.detach().to_type(ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }

    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        // Scalars held in variables until the native calls return: a temporary Scalar can be finalized while one runs.
        using TorchSharp.Scalar two = 2, eps = _shape.RmsNormEps;
        return x * (x.pow(two).mean([-1L], keepdim: true) + eps).rsqrt() * weight;
    }

    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1);
    }
}
