using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Attention;

/// <summary>
/// Rotary position embedding in the non-interleaved ("rotate half") layout of Hugging Face Llama-style models,
/// which is also what ONNX Runtime's <c>GroupQueryAttention</c> applies with <c>rotary_interleaved = 0</c>.
/// </summary>
public static class RotaryEmbedding
{
    /// <summary>Computes the inverse frequencies, applying <c>llama3</c> scaling when configured.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <returns><c>headDim / 2</c> inverse frequencies.</returns>
    public static double[] InverseFrequencies(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        int half = architecture.HeadDim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++)
        {
            inv[i] = Math.Pow(architecture.RopeTheta, -2.0 * i / architecture.HeadDim);
            if (architecture.RopeScaling is { } s)
            {
                inv[i] = Llama3Scale(inv[i], s);
            }
        }

        return inv;
    }

    private static double Llama3Scale(double invFreq, RopeScaling s)
    {
        double wavelength = 2 * Math.PI / invFreq;
        double lowFreqWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        double highFreqWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        if (wavelength < highFreqWavelength)
        {
            return invFreq;
        }

        if (wavelength > lowFreqWavelength)
        {
            return invFreq / s.Factor;
        }

        // Between the two wavelengths, blend the scaled and unscaled frequency.
        double smooth = (s.OriginalMaxPositionEmbeddings / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
        return (1 - smooth) * invFreq / s.Factor + smooth * invFreq;
    }
}
