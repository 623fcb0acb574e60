namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// The fact-to-question distance as training progresses: from inside the attention window (the model can copy the
/// value by attention) to far beyond it (only the memory holds it), log-linearly.
/// </summary>
public static class CurriculumSchedule
{
    /// <summary>The distance range at a point of training.</summary>
    /// <param name="progress">The fraction of training done, 0..1.</param>
    /// <param name="windowTokens">The attention window (sink + window) in tokens.</param>
    /// <param name="farTokens">The largest distance at the end of training.</param>
    /// <returns>The smallest and largest distance to draw from (log-uniformly).</returns>
    public static (int Min, int Max) DistanceRange(double progress, int windowTokens, int farTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(farTokens, windowTokens);
        double p = Math.Clamp(progress, 0, 1);
        int start = Math.Max(8, windowTokens / 2);
        int max = (int)Math.Round(start * Math.Pow((double)farTokens / start, p));
        int min = (int)Math.Round(Math.Max(8, max / 4.0));
        return (Math.Min(min, max), max);
    }

    /// <summary>Copies options with the distance range of a point of training.</summary>
    /// <param name="options">The base options.</param>
    /// <param name="progress">The fraction of training done, 0..1.</param>
    /// <param name="windowTokens">The attention window in tokens.</param>
    /// <param name="farTokens">The largest distance at the end of training.</param>
    /// <returns>The options for that stage.</returns>
    public static CorpusOptions AtProgress(CorpusOptions options, double progress, int windowTokens, int farTokens)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (min, max) = DistanceRange(progress, windowTokens, farTokens);
        var copy = options.Clone();
        copy.MinDistanceTokens = min;
        copy.MaxDistanceTokens = max;
        return copy;
    }
}
