namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Seeded random weights that are deliberately not near zero, so every term of the forward pass moves the logits.</summary>
public sealed class WeightGenerator(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Draws a matrix with entries N(0, 0.08²).</summary>
    /// <param name="count">The number of entries.</param>
    /// <returns>The values.</returns>
    public float[] Matrix(int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            // Box–Muller: one standard normal from two uniforms.
            double u1 = 1.0 - _random.NextDouble();
            double u2 = _random.NextDouble();
            values[i] = (float)(0.08 * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        return values;
    }

    /// <summary>Draws RMSNorm weights uniform in 1 ± 0.2.</summary>
    /// <param name="count">The number of entries.</param>
    /// <returns>The values.</returns>
    public float[] Norm(int count) => Uniform(count, 1.0, 0.2);

    /// <summary>Draws biases uniform in ± 0.1.</summary>
    /// <param name="count">The number of entries.</param>
    /// <returns>The values.</returns>
    public float[] Bias(int count) => Uniform(count, 0.0, 0.1);

    /// <summary>Draws token ids uniform in [0, vocab).</summary>
    /// <param name="count">The number of ids.</param>
    /// <param name="vocab">The vocabulary size.</param>
    /// <returns>The ids.</returns>
    public int[] TokenIds(int count, int vocab) => Enumerable.Range(0, count).Select(_ => _random.Next(vocab)).ToArray();

    private float[] Uniform(int count, double center, double halfWidth)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)(center + (halfWidth * ((2 * _random.NextDouble()) - 1)));
        }

        return values;
    }
}
