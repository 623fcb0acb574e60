using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Training.Weights;

/// <summary>The weights of a converted package, read back into canonical form, with its memory gates.</summary>
public sealed class PackageWeights
{
    /// <summary>Gets the package's config.</summary>
    public required PackageConfig Config { get; init; }

    /// <summary>Gets the base model weights (Hugging Face layout, as <see cref="TransformerWeightsReader"/> gives them).</summary>
    public required TransformerWeights Weights { get; init; }

    /// <summary>Gets, per layer, the gate weight <c>w</c> row-major <c>[hidden, heads]</c>.</summary>
    public required IReadOnlyList<float[]> GateWeights { get; init; }

    /// <summary>Gets, per layer, the gate bias <c>b</c> <c>[heads]</c>.</summary>
    public required IReadOnlyList<float[]> GateBiases { get; init; }
}
