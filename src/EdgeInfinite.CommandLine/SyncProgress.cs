namespace EdgeInfinite.CommandLine;

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread (<see cref="Progress{T}"/> posts to the thread pool, which reorders console output).</summary>
/// <typeparam name="T">The progress value.</typeparam>
/// <param name="report">Called with every value, on the reporting thread.</param>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
