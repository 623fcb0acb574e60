using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Seeded random memory gates, large enough that memory visibly changes the long route's logits.</summary>
public static class RandomMemoryGates
{
    /// <summary>Draws per-layer gate weights <c>[hidden, heads]</c> in ±0.3 and biases <c>[heads]</c> in ±1.</summary>
    /// <param name="architecture">The model's architecture.</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The weights and biases, per layer.</returns>
    public static (float[][] Weights, float[][] Biases) Create(ModelArchitecture architecture, int seed = 1234)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var random = new Random(seed);
        float[][] w = [.. Enumerable.Range(0, architecture.NumLayers).Select(_ => Enumerable.Range(0, architecture.HiddenSize * architecture.NumHeads).Select(_ => (float)(random.NextDouble() - 0.5) * 0.6f).ToArray())];
        float[][] b = [.. Enumerable.Range(0, architecture.NumLayers).Select(_ => Enumerable.Range(0, architecture.NumHeads).Select(_ => (float)(random.NextDouble() - 0.5) * 2f).ToArray())];
        return (w, b);
    }
}
