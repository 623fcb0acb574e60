using EdgeInfinite.Onnx.Attention;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.LongRoute;

/// <summary>
/// Rotates cached keys by a position offset (RoPE rotations compose: R(a)·R(b) = R(a+b)). Used to move window keys
/// to their new cache-relative positions when the window slides, and to undo RoPE on keys entering memory.
/// </summary>
internal sealed class KeyRotation
{
    private readonly double[] _invFreq;
    private readonly int _headDim;

    public KeyRotation(ModelArchitecture architecture)
    {
        _invFreq = RotaryEmbedding.InverseFrequencies(architecture);
        _headDim = architecture.HeadDim;
    }

    /// <summary>Rotates <paramref name="count"/> consecutive keys (<c>[count, Dh]</c>) by <paramref name="offset"/> positions.</summary>
    public void Rotate(Span<float> keys, int count, long offset) => Rotate(keys, count, offset, 0);

    /// <summary>Rotates consecutive keys, key <c>t</c> by <c>offset + step·t</c> positions.</summary>
    public void Rotate(Span<float> keys, int count, long offset, int step)
    {
        int half = _headDim / 2;
        for (int t = 0; t < count; t++)
        {
            var k = keys.Slice(t * _headDim, _headDim);
            long position = offset + (long)step * t;
            for (int i = 0; i < half; i++)
            {
                double angle = position * _invFreq[i];
                float c = (float)Math.Cos(angle), s = (float)Math.Sin(angle);
                float x1 = k[i], x2 = k[i + half];
                k[i] = x1 * c - x2 * s;
                k[i + half] = x2 * c + x1 * s;
            }
        }
    }
}
