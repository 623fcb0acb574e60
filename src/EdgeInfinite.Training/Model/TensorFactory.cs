using static TorchSharp.torch;

namespace EdgeInfinite.Training.Model;

/// <summary>Creates tensors that live as long as their owner (outside any dispose scope).</summary>
internal static class TensorFactory
{
    /// <summary>A frozen (no gradient) tensor of the given shape (one dimension may be −1), converted to <paramref name="dtype"/>.</summary>
    public static Tensor Frozen(float[] values, ScalarType dtype, params long[] shape)
    {
        using var raw = tensor(values, shape.Length == 0 ? [values.LongLength] : Resolve(shape, values.LongLength));
        return raw.to_type(dtype).detach().DetachFromDisposeScope();
    }

    public static Tensor? FrozenOptional(float[]? values, ScalarType dtype) => values is null ? null : Frozen(values, dtype);

    /// <summary>A trainable leaf tensor.</summary>
    public static Tensor Trainable(float[] values, ScalarType dtype, params long[] shape)
    {
        // A copy: the optimizer updates it in place, and torch may share the managed array's memory.
        using var frozen = Frozen(values, dtype, shape);
        var t = frozen.clone().DetachFromDisposeScope();
        t.requires_grad_(true);
        return t;
    }

    /// <summary>A batch of token ids as an int64 <c>[rows, length]</c> tensor.</summary>
    public static Tensor Ids(int[][] batch) =>
        tensor(batch.SelectMany(row => row.Select(id => (long)id)).ToArray(), [batch.Length, batch[0].Length]);

    /// <summary>Per-token loss weights as a float32 <c>[rows, length]</c> tensor; <see langword="null"/> stays <see langword="null"/>.</summary>
    public static Tensor? Weights(float[][]? batch) =>
        batch is null ? null : tensor(batch.SelectMany(row => row).ToArray(), [batch.Length, batch[0].Length]);

    private static long[] Resolve(long[] shape, long count)
    {
        long known = shape.Where(s => s >= 0).Aggregate(1L, (a, b) => a * b);
        return shape.Select(s => s >= 0 ? s : count / known).ToArray();
    }
}
