using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Reference;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>
/// Runs a package on the ONNX engine against the float64 reference on the package's own weights, read back and
/// dequantized by <see cref="PackageWeightsReader"/>: for a quantized package built at accuracy level 0 the two
/// compute the same model, so they must agree to float32 rounding.
/// </summary>
public static class QuantizedExactness
{
    /// <summary>Runs every position of a prompt on the short route.</summary>
    /// <param name="package">The package folder.</param>
    /// <param name="ids">The prompt.</param>
    /// <param name="original">The weights before quantization (for <see cref="ShortRouteExactness.QuantizationEffect"/>).</param>
    /// <returns>The relative error and the quantization effect.</returns>
    public static ShortRouteExactness ShortRoute(string package, int[] ids, TransformerWeights original)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var dequantized = PackageWeightsReader.Read(package).Weights;
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, ids.Length);

        var logits = state.AppendAllLogits(ids);

        double[] expected = [.. new ReferenceTransformer(dequantized).Forward(ids).SelectMany(r => r)];
        double[] unquantized = [.. new ReferenceTransformer(original).Forward(ids).SelectMany(r => r)];
        return new ShortRouteExactness(RelativeError(expected, logits), RelativeError(expected, [.. unquantized.Select(v => (float)v)]));
    }

    /// <summary>
    /// Copies a package with <see cref="RandomMemoryGates"/> and streams a prompt (prefill) then decode tokens one at a time
    /// through the long route, with the package's long-route settings.
    /// </summary>
    /// <param name="package">The package folder (not modified).</param>
    /// <param name="gatedPackage">The folder for the gated copy (must not exist).</param>
    /// <param name="prompt">The prefill tokens.</param>
    /// <param name="decode">The tokens decoded one at a time afterwards.</param>
    /// <param name="gateSeed">The seed of the random gates.</param>
    /// <returns>The relative error over every logit and the tokens each side wrote to memory.</returns>
    public static LongRouteExactness LongRoute(string package, string gatedPackage, int[] prompt, int[] decode, int gateSeed = 1234)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(decode);
        var read = PackageWeightsReader.Read(package);
        var (gateW, gateB) = RandomMemoryGates.Create(read.Weights.Architecture, gateSeed);
        PackageGates.WriteCopy(package, gatedPackage, gateW, gateB);
        using var model = EdgeInfiniteModel.Load(gatedPackage);
        using var state = model.CreateState(Route.Long, 0);
        var reference = new ReferenceLongRoute(read.Weights, read.Config.LongRoute, gateW, gateB);

        var engine = new List<float>(state.AppendAllLogits(prompt));
        foreach (int id in decode)
        {
            engine.AddRange(state.Append([id]));
        }

        double[] expected = [.. reference.Process(prompt).Concat(decode.SelectMany(id => reference.Process([id]))).SelectMany(r => r)];
        return new LongRouteExactness(RelativeError(expected, [.. engine]), state.TokensInMemory, reference.TokensInMemory);
    }

    /// <summary>Returns the largest |expected − actual| relative to the largest |expected|.</summary>
    /// <param name="expected">The reference values.</param>
    /// <param name="actual">The engine values, as many.</param>
    /// <returns>The relative error (infinity when a value is NaN).</returns>
    public static double RelativeError(double[] expected, float[] actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double diff = Math.Abs(expected[i] - actual[i]);
            max = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(max, diff);
        }

        return max / scale;
    }
}
