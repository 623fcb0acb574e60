using EdgeInfinite.ModelBuilder.Checkpoints;
using static TorchSharp.torch;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// One decoder layer's base weights, Hugging Face <c>[out, in]</c> layout: either frozen copies of a checkpoint's
/// values (owned, no gradient) or a <see cref="TrainableLlama"/>'s own parameters (shared, trained through the long route).
/// </summary>
internal sealed class LayerTensors : IDisposable
{
    private readonly bool _owned = true;

    public LayerTensors(LayerWeights l, ScalarType dtype)
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

    /// <summary>Wraps a Llama layer's parameters without copying (order: input norm, q, k, v, o, post norm, gate, up, down).</summary>
    public LayerTensors(ReadOnlySpan<Tensor> llama)
    {
        _owned = false;
        InputNorm = llama[0];
        Q = llama[1];
        K = llama[2];
        V = llama[3];
        O = llama[4];
        PostNorm = llama[5];
        Gate = llama[6];
        Up = llama[7];
        Down = llama[8];
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
        if (!_owned)
        {
            return;
        }

        foreach (var t in new[] { InputNorm, Q, K, V, O, QBias, KBias, VBias, OBias, QNorm, KNorm, PostNorm, Gate, Up, Down })
        {
            t?.Dispose();
        }
    }
}
