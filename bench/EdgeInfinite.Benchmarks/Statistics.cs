namespace EdgeInfinite.Benchmarks;

/// <summary>Order statistics of timing samples.</summary>
internal static class Statistics
{
    public static double Median(IEnumerable<double> samples)
    {
        var sorted = samples.OrderBy(x => x).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static double Min(IEnumerable<double> samples) => samples.DefaultIfEmpty(double.NaN).Min();

    public static double Max(IEnumerable<double> samples) => samples.DefaultIfEmpty(double.NaN).Max();
}
