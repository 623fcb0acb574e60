namespace EdgeInfinite.Reference;

/// <summary>
/// How much of one query head's read a single stored token gets, under softmax attention and under each memory
/// feature map (see <see cref="MemoryShareProbe"/>).
/// </summary>
/// <param name="Layer">The layer.</param>
/// <param name="Head">The query head.</param>
/// <param name="Softmax">The token's softmax weight among the stored tokens (scores q·k/√Dh, keys before RoPE).</param>
/// <param name="EluPlusOne">Its share of the linear read with σ = ELU + 1: σ(q)·σ(k) over the sum for all stored tokens.</param>
/// <param name="Exponential">The same with σ(x) = exp(min(2x, 30)) (the default β).</param>
/// <param name="Uniform">1 / the number of stored tokens: what an unselective read gives.</param>
public sealed record MemoryShare(int Layer, int Head, double Softmax, double EluPlusOne, double Exponential, double Uniform);
