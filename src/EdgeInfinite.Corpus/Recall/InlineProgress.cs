namespace EdgeInfinite.Corpus.Recall;

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
