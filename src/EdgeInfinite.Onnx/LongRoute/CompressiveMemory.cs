using System.Numerics.Tensors;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeInfinite.Onnx.LongRoute;

/// <summary>
/// The fixed-size compressed memory of the long route: per layer and KV head, <c>M ∈ R^{Dh×Dh}</c> and
/// <c>z ∈ R^{Dh}</c> (float32, starting at zero), held in the <c>OrtValue</c>s the chunk graph reads.
/// Tokens leaving the window are written here (DESIGN §1 "memory write").
/// </summary>
internal sealed class CompressiveMemory : IDisposable
{
    private readonly ModelArchitecture _a;
    private readonly MemoryUpdateRule _rule;
    private readonly MemoryFeatureMap _featureMap;
    private readonly float _epsilon;
    private readonly float _featureScale;
    private float[] _sigmaKeys = [];
    private float[] _deltas = [];

    public CompressiveMemory(ModelArchitecture architecture, LongRouteSettings settings)
    {
        _a = architecture;
        _rule = settings.UpdateRule;
        _featureMap = settings.FeatureMap;
        _epsilon = (float)settings.Epsilon;
        _featureScale = (float)settings.FeatureScale;
        int hd = architecture.HeadDim;
        Matrices = new OrtValue[architecture.NumLayers];
        Norms = new OrtValue[architecture.NumLayers];
        for (int i = 0; i < architecture.NumLayers; i++)
        {
            Matrices[i] = OrtValue.CreateTensorValueFromMemory(new float[architecture.NumKvHeads * hd * hd], [1, architecture.NumKvHeads, hd, hd]);
            Norms[i] = OrtValue.CreateTensorValueFromMemory(new float[architecture.NumKvHeads * hd], [1, architecture.NumKvHeads, hd, 1]);
        }
    }

    /// <summary>Gets the per-layer memory matrices <c>[1, kvHeads, Dh, Dh]</c>.</summary>
    public OrtValue[] Matrices { get; }

    /// <summary>Gets the per-layer normalisers <c>[1, kvHeads, Dh, 1]</c>.</summary>
    public OrtValue[] Norms { get; }

    /// <summary>Gets the number of tokens written so far.</summary>
    public long TokensWritten { get; private set; }

    public long Bytes => (long)_a.NumLayers * _a.NumKvHeads * _a.HeadDim * (_a.HeadDim + 1) * sizeof(float);

    /// <summary>
    /// Writes <paramref name="count"/> tokens of one layer and KV head: keys before RoPE and values, each
    /// <c>[count, Dh]</c>. Delta rule: <c>M += σ(K)ᵀ (V − σ(K) M / (σ(K) z + ε))</c>; linear: <c>M += σ(K)ᵀ V</c>;
    /// both then <c>z += Σ σ(K)</c>. With unit-length keys the delta rule runs token by token,
    /// <c>M += σ(k)ᵀ (v − σ(k) M)</c>: a block-parallel step would add the same correction once per alike key and
    /// overshoot (it diverged at the first training step of the tiny model).
    /// </summary>
    // Hot numeric loop of a long stream: compiled fully optimised at once, not after tiering.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Write(int layer, int kvHead, ReadOnlySpan<float> keys, ReadOnlySpan<float> values, int count)
    {
        int hd = _a.HeadDim;
        var m = Matrices[layer].GetTensorMutableDataAsSpan<float>().Slice(kvHead * hd * hd, hd * hd);
        var z = Norms[layer].GetTensorMutableDataAsSpan<float>().Slice(kvHead * hd, hd);
        Span<float> sk = stackalloc float[hd];
        Span<float> delta = stackalloc float[hd];
        if (_featureMap == MemoryFeatureMap.L2Normalized && _rule == MemoryUpdateRule.Delta)
        {
            // Token by token: each recall from the memory as the previous token left it.
            for (int t = 0; t < count; t++)
            {
                Features(keys.Slice(t * hd, hd), sk);
                values.Slice(t * hd, hd).CopyTo(delta);
                for (int i = 0; i < hd; i++)
                {
                    TensorPrimitives.MultiplyAdd(m.Slice(i * hd, hd), -sk[i], delta, delta);
                }

                AddOuter(m, z, sk, delta);
            }
        }
        else
        {
            if (_sigmaKeys.Length < count * hd)
            {
                _sigmaKeys = new float[count * hd];
                _deltas = new float[count * hd];
            }

            // Retrieval for the delta rule uses the memory as it was before this write, for every token of the block.
            for (int t = 0; t < count; t++)
            {
                Features(keys.Slice(t * hd, hd), sk);
                values.Slice(t * hd, hd).CopyTo(delta);
                if (_rule == MemoryUpdateRule.Delta)
                {
                    float denominator = TensorPrimitives.Dot(sk, z) + _epsilon;
                    for (int i = 0; i < hd; i++)
                    {
                        if (sk[i] != 0)
                        {
                            TensorPrimitives.MultiplyAdd(m.Slice(i * hd, hd), -sk[i] / denominator, delta, delta);
                        }
                    }
                }

                sk.CopyTo(_sigmaKeys.AsSpan(t * hd));
                delta.CopyTo(_deltas.AsSpan(t * hd));
            }

            for (int t = 0; t < count; t++)
            {
                AddOuter(m, z, _sigmaKeys.AsSpan(t * hd, hd), _deltas.AsSpan(t * hd, hd));
            }
        }

        if (layer == 0 && kvHead == 0)
        {
            TokensWritten += count;
        }
    }

    /// <summary><c>M += σᵀ δ</c>, <c>z += σ</c>.</summary>
    private static void AddOuter(Span<float> m, Span<float> z, ReadOnlySpan<float> sigma, ReadOnlySpan<float> delta)
    {
        int hd = sigma.Length;
        for (int i = 0; i < hd; i++)
        {
            var row = m.Slice(i * hd, hd);
            TensorPrimitives.MultiplyAdd(delta, sigma[i], row, row);
        }

        TensorPrimitives.Add(z, sigma, z);
    }

    /// <summary>σ of one key: ELU + 1, the key scaled to unit length, or the capped exponential.</summary>
    private void Features(ReadOnlySpan<float> k, Span<float> sigma)
    {
        if (_featureMap == MemoryFeatureMap.L2Normalized)
        {
            TensorPrimitives.Multiply(k, 1f / MathF.Sqrt(TensorPrimitives.Dot(k, k) + _epsilon), sigma);
            return;
        }

        if (_featureMap == MemoryFeatureMap.Exponential)
        {
            for (int i = 0; i < k.Length; i++)
            {
                sigma[i] = ExponentialFeatures.Apply(k[i], _featureScale);
            }

            return;
        }

        for (int i = 0; i < k.Length; i++)
        {
            sigma[i] = k[i] > 0 ? k[i] + 1f : MathF.Exp(k[i]);
        }
    }

    /// <summary>Sets the token count after the matrices were loaded from a snapshot.</summary>
    public void Restore(long tokensWritten) => TokensWritten = tokensWritten;

    public void Dispose()
    {
        foreach (var v in Matrices.Concat(Norms))
        {
            v.Dispose();
        }
    }
}
