using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Model;

/// <summary>The dimensions of a Llama model trained from scratch by <see cref="BasePretrainer"/> (tied embeddings, no biases).</summary>
public sealed record BaseModelShape
{
    /// <summary>Gets the vocabulary size (the tokenizer's).</summary>
    public required int VocabSize { get; init; }

    /// <summary>Gets the hidden size.</summary>
    public int HiddenSize { get; init; } = 256;

    /// <summary>Gets the number of decoder layers.</summary>
    public int Layers { get; init; } = 4;

    /// <summary>Gets the number of query heads.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Gets the number of key/value heads (grouped-query attention).</summary>
    public int KvHeads { get; init; } = 2;

    /// <summary>Gets the SwiGLU intermediate size.</summary>
    public int IntermediateSize { get; init; } = 688;

    /// <summary>Gets the RoPE base.</summary>
    public double RopeTheta { get; init; } = 10000;

    /// <summary>Gets the RMSNorm epsilon.</summary>
    public double RmsNormEps { get; init; } = 1e-5;

    /// <summary>Gets the largest position written into config.json (<c>max_position_embeddings</c>).</summary>
    public int MaxPositions { get; init; } = 32768;

    /// <summary>Gets the head dimension (<see cref="HiddenSize"/> / <see cref="Heads"/>).</summary>
    public int HeadDim => HiddenSize / Heads;

    /// <summary>Gets a one-line description used to match checkpoints.</summary>
    public string Fingerprint => FormattableString.Invariant($"llama v{VocabSize} d{HiddenSize} l{Layers} h{Heads} kv{KvHeads} i{IntermediateSize} theta{RopeTheta} eps{RmsNormEps}");

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(VocabSize, 2, nameof(VocabSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Layers, nameof(Layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Heads, nameof(Heads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(KvHeads, nameof(KvHeads));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(IntermediateSize, nameof(IntermediateSize));
        if (HiddenSize <= 0 || HiddenSize % Heads != 0 || HeadDim % 16 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, $"The hidden size must split into {Heads} heads of a multiple of 16 dimensions (ONNX Runtime's GroupQueryAttention).");
        }

        // Finite as well as positive: the exported config.json (JSON has no infinity or NaN) and every RoPE angle and norm depend on them.
        if (!double.IsFinite(RopeTheta) || RopeTheta <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RopeTheta), RopeTheta, "The RoPE base must be a finite positive number.");
        }

        if (!double.IsFinite(RmsNormEps) || RmsNormEps <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RmsNormEps), RmsNormEps, "The RMSNorm epsilon must be a finite positive number.");
        }

        if (Heads % KvHeads != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(KvHeads), KvHeads, $"The {Heads} query heads must be a multiple of the key/value heads.");
        }
    }
}
