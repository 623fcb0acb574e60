namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Compares engine logits (float32, row-major) with reference logits (float64, one row per position).</summary>
public static class LogitComparison
{
    /// <summary>Asserts that every logit is within a tolerance, reporting the worst position and vocabulary index.</summary>
    /// <param name="expected">The reference rows.</param>
    /// <param name="actual">The engine logits <c>[rows × vocab]</c>.</param>
    /// <param name="tolerance">The largest allowed absolute difference.</param>
    public static void AssertClose(double[][] expected, float[] actual, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        int vocab = expected[0].Length;
        Assert.Equal(expected.Length * vocab, actual.Length);
        double max = -1;
        int worstRow = 0, worstIndex = 0;
        for (int t = 0; t < expected.Length; t++)
        {
            for (int i = 0; i < vocab; i++)
            {
                double diff = Math.Abs(expected[t][i] - actual[(t * vocab) + i]);
                if (double.IsNaN(diff) || diff > max)
                {
                    max = double.IsNaN(diff) ? double.PositiveInfinity : diff;
                    worstRow = t;
                    worstIndex = i;
                }
            }
        }

        Assert.True(max <= tolerance, $"max abs diff {max:G4} > {tolerance:G4} at position {worstRow}, vocab index {worstIndex} (reference {expected[worstRow][worstIndex]:G6}, engine {actual[(worstRow * vocab) + worstIndex]:G6})");
    }

    /// <summary>Returns the largest absolute difference between two logit arrays of equal length.</summary>
    /// <param name="a">The first.</param>
    /// <param name="b">The second.</param>
    /// <returns>The difference.</returns>
    public static double MaxAbsDiff(float[] a, float[] b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    /// <summary>Returns the index of the largest value (the first on ties).</summary>
    /// <param name="values">The values.</param>
    /// <returns>The index.</returns>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Returns the index of the largest value (the first on ties).</summary>
    /// <param name="values">The values.</param>
    /// <returns>The index.</returns>
    public static int ArgMax(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
