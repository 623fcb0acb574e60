using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Reference;

/// <summary>RoPE inverse frequencies as transformers computes them (default and <c>llama3</c> scaling).</summary>
public static class RotaryFrequencies
{
    /// <summary>Computes <c>inv_freq[i]</c> for <c>i &lt; headDim / 2</c>.</summary>
    /// <param name="architecture">The architecture.</param>
    /// <returns>The inverse frequencies.</returns>
    public static double[] Compute(ModelArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        int half = architecture.HeadDim / 2;
        var inv = new double[half];
        for (int i = 0; i < half; i++)
        {
            inv[i] = 1.0 / Math.Pow(architecture.RopeTheta, 2.0 * i / architecture.HeadDim);
        }

        if (architecture.RopeScaling is { } s)
        {
            double lowWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
            double highWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
            for (int i = 0; i < half; i++)
            {
                double wavelen = 2 * Math.PI / inv[i];
                if (wavelen > lowWavelen)
                {
                    inv[i] /= s.Factor;
                }
                else if (wavelen >= highWavelen)
                {
                    double smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                    inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
                }
            }
        }

        return inv;
    }
}
