using System.Globalization;
using System.Numerics.Tensors;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>
/// Accumulates how far a quantized package's logits are from the float32 package's: top-1 agreement over every
/// position and the largest |Δlogit|, also relative to the largest |float32 logit|.
/// </summary>
public sealed class LogitAgreement
{
    /// <summary>Gets the positions whose argmax agrees.</summary>
    public int Agreeing { get; private set; }

    /// <summary>Gets the positions compared.</summary>
    public int Positions { get; private set; }

    /// <summary>Gets the largest |Δlogit|.</summary>
    public double MaxChange { get; private set; }

    /// <summary>Gets the largest |float32 logit|.</summary>
    public double Scale { get; private set; }

    /// <summary>Gets the share of positions whose argmax agrees.</summary>
    public double Agreement => (double)Agreeing / Positions;

    /// <summary>Gets <see cref="MaxChange"/> relative to <see cref="Scale"/>.</summary>
    public double RelativeChange => MaxChange / Scale;

    /// <summary>Runs every position of a prompt through both packages on the short route and adds them.</summary>
    /// <param name="float32Package">The float32 package folder.</param>
    /// <param name="quantizedPackage">The quantized package folder.</param>
    /// <param name="prompt">The prompt.</param>
    public void Add(string float32Package, string quantizedPackage, int[] prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        Add(ShortRouteLogits(float32Package, prompt), ShortRouteLogits(quantizedPackage, prompt), prompt.Length);
    }

    /// <summary>Adds the positions of one prompt.</summary>
    /// <param name="float32">The float32 package's logits <c>[positions × vocab]</c>.</param>
    /// <param name="quantized">The quantized package's logits, same shape.</param>
    /// <param name="positions">The number of positions.</param>
    public void Add(float[] float32, float[] quantized, int positions)
    {
        ArgumentNullException.ThrowIfNull(float32);
        ArgumentNullException.ThrowIfNull(quantized);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(positions);
        Assert.Equal(float32.Length, quantized.Length);
        int vocab = float32.Length / positions;
        for (int t = 0; t < positions; t++)
        {
            var r = float32.AsSpan(t * vocab, vocab);
            var q = quantized.AsSpan(t * vocab, vocab);
            Agreeing += TensorPrimitives.IndexOfMax(r) == TensorPrimitives.IndexOfMax(q) ? 1 : 0;
        }

        Positions += positions;
        for (int i = 0; i < float32.Length; i++)
        {
            MaxChange = Math.Max(MaxChange, Math.Abs((double)float32[i] - quantized[i]));
            Scale = Math.Max(Scale, Math.Abs((double)float32[i]));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"top-1 agreement {Agreement:P2} ({Agreeing}/{Positions}), max |Δlogit| {MaxChange:F4} ({RelativeChange:P2} of max |logit| {Scale:F3})");

    private static float[] ShortRouteLogits(string package, int[] prompt)
    {
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, prompt.Length);
        return state.AppendAllLogits(prompt);
    }
}
