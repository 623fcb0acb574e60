namespace EdgeInfinite.Corpus.Recall;

/// <summary>
/// The Wilson score interval of a binomial proportion: unlike the normal approximation it stays inside 0..1 and is
/// not empty at 0 or n successes, which matters for cells of a dozen trials.
/// </summary>
public static class WilsonInterval
{
    /// <summary>The two-sided 95% normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The Wilson interval of <paramref name="successes"/> out of <paramref name="trials"/>.</summary>
    /// <param name="successes">The successes, 0..<paramref name="trials"/>.</param>
    /// <param name="trials">The trials (positive).</param>
    /// <param name="z">The normal quantile (default: 95% two-sided).</param>
    /// <returns>The interval.</returns>
    public static ConfidenceInterval Of(int successes, int trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (double.IsNaN(z) || z <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "The quantile must be positive.");
        }

        double n = trials, p = successes / n, z2 = z * z;
        double denominator = 1 + (z2 / n);
        double centre = (p + (z2 / (2 * n))) / denominator;
        double half = z / denominator * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n)));
        // The bounds are exact at 0 and n successes; clamping only removes rounding outside 0..1.
        return new ConfidenceInterval(successes == 0 ? 0 : Math.Max(0, centre - half), successes == trials ? 1 : Math.Min(1, centre + half));
    }
}
