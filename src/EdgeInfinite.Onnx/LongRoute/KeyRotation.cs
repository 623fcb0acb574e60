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
    private readonly float[] _cos;
    private readonly float[] _sin;

    public KeyRotation(ModelArchitecture architecture)
    {
        _invFreq = RotaryEmbedding.InverseFrequencies(architecture);
        _headDim = architecture.HeadDim;
        _cos = new float[_headDim / 2];
        _sin = new float[_headDim / 2];
    }

    /// <summary>Rotates <paramref name="count"/> consecutive keys (<c>[count, Dh]</c>) all by <paramref name="offset"/> positions.</summary>
    public void Rotate(Span<float> keys, int count, long offset)
    {
        Angles(offset);
        for (int t = 0; t < count; t++)
        {
            Apply(keys.Slice(t * _headDim, _headDim));
        }
    }

    /// <summary>Rotates consecutive keys, key <c>t</c> by <c>offset + step·t</c> positions.</summary>
    public void Rotate(Span<float> keys, int count, long offset, int step)
    {
        for (int t = 0; t < count; t++)
        {
            Angles(offset + (long)step * t);
            Apply(keys.Slice(t * _headDim, _headDim));
        }
    }

    // Hot numeric loop of a long stream: compiled fully optimised at once, not after tiering.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Angles(long position)
    {
        for (int i = 0; i < _cos.Length; i++)
        {
            double angle = position * _invFreq[i];
            _cos[i] = (float)Math.Cos(angle);
            _sin[i] = (float)Math.Sin(angle);
        }
    }

    // Hot numeric loop of a long stream: compiled fully optimised at once, not after tiering.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Apply(Span<float> k)
    {
        int half = _cos.Length;
        for (int i = 0; i < half; i++)
        {
            float x1 = k[i], x2 = k[i + half];
            k[i] = x1 * _cos[i] - x2 * _sin[i];
            k[i + half] = x2 * _cos[i] + x1 * _sin[i];
        }
    }
}
