using static TorchSharp.torch;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// The compressed memory of every layer for a batch of sequences: what <see cref="GatedTransformer.ForwardLong"/> can
/// start from (<see cref="LongRouteOptions.InitialMemory"/>) and what it wrote by the end
/// (<see cref="LongRouteOptions.ReturnMemory"/>). Training from a memory that already holds earlier text shows the
/// model reads diluted by many more stored tokens than one training sequence holds.
/// </summary>
/// <param name="M">Per layer, the memory matrix <c>[batch, kv heads, head dim, head dim]</c>.</param>
/// <param name="Z">Per layer, the normaliser <c>[batch, kv heads, head dim, 1]</c>.</param>
/// <param name="Holds">Per sequence, whether its memory holds tokens; a sequence whose memory holds none is gated only once it evicts, as in the engine.</param>
public sealed record LongRouteMemory(Tensor[] M, Tensor[] Z, bool[] Holds)
{
    /// <summary>An empty memory for <paramref name="batch"/> sequences.</summary>
    /// <param name="layers">The layers.</param>
    /// <param name="batch">The sequences.</param>
    /// <param name="kvHeads">The KV heads.</param>
    /// <param name="headDim">The head dimension.</param>
    /// <param name="dtype">The element type.</param>
    /// <returns>Zeros, holding nothing.</returns>
    public static LongRouteMemory Empty(int layers, int batch, int kvHeads, int headDim, ScalarType dtype) => new(
        Enumerable.Range(0, layers).Select(_ => zeros([batch, kvHeads, headDim, headDim], dtype)).ToArray(),
        Enumerable.Range(0, layers).Select(_ => zeros([batch, kvHeads, headDim, 1], dtype)).ToArray(),
        new bool[batch]);

    /// <summary>Gets the per-sequence mask <c>[batch, 1, 1, 1]</c> of <see cref="Holds"/> (1 or 0) in <paramref name="dtype"/>.</summary>
    /// <param name="dtype">The element type.</param>
    /// <returns>The mask.</returns>
    internal Tensor HoldsMask(ScalarType dtype) =>
        tensor(Holds.Select(h => h ? 1.0 : 0.0).ToArray(), [Holds.Length, 1, 1, 1]).to_type(dtype);
}
