using EdgeInfinite.ModelBuilder.Checkpoints;
using static TorchSharp.torch;

namespace EdgeInfinite.Training;

/// <summary>One decoder layer's base weights as frozen tensors (no gradient), Hugging Face <c>[out, in]</c> layout.</summary>
internal sealed class FrozenLayer : IDisposable
{
    public FrozenLayer(LayerWeights l, ScalarType dtype)
    {
        InputNorm = TensorFactory.Frozen(l.InputNorm, dtype);
        Q = TensorFactory.Frozen(l.QWeight, dtype, -1, l.InputNorm.Length);
        K = TensorFactory.Frozen(l.KWeight, dtype, -1, l.InputNorm.Length);
        V = TensorFactory.Frozen(l.VWeight, dtype, -1, l.InputNorm.Length);
        O = TensorFactory.Frozen(l.OWeight, dtype, l.InputNorm.Length, -1);
        QBias = TensorFactory.FrozenOptional(l.QBias, dtype);
        KBias = TensorFactory.FrozenOptional(l.KBias, dtype);
        VBias = TensorFactory.FrozenOptional(l.VBias, dtype);
        OBias = TensorFactory.FrozenOptional(l.OBias, dtype);
        QNorm = TensorFactory.FrozenOptional(l.QNorm, dtype);
        KNorm = TensorFactory.FrozenOptional(l.KNorm, dtype);
        PostNorm = TensorFactory.Frozen(l.PostAttentionNorm, dtype);
        Gate = TensorFactory.Frozen(l.GateWeight, dtype, -1, l.InputNorm.Length);
        Up = TensorFactory.Frozen(l.UpWeight, dtype, -1, l.InputNorm.Length);
        Down = TensorFactory.Frozen(l.DownWeight, dtype, l.InputNorm.Length, -1);
    }

    public Tensor InputNorm { get; }

    public Tensor Q { get; }

    public Tensor K { get; }

    public Tensor V { get; }

    public Tensor O { get; }

    public Tensor? QBias { get; }

    public Tensor? KBias { get; }

    public Tensor? VBias { get; }

    public Tensor? OBias { get; }

    public Tensor? QNorm { get; }

    public Tensor? KNorm { get; }

    public Tensor PostNorm { get; }

    public Tensor Gate { get; }

    public Tensor Up { get; }

    public Tensor Down { get; }

    public void Dispose()
    {
        foreach (var t in new[] { InputNorm, Q, K, V, O, QBias, KBias, VBias, OBias, QNorm, KNorm, PostNorm, Gate, Up, Down })
        {
            t?.Dispose();
        }
    }
}
