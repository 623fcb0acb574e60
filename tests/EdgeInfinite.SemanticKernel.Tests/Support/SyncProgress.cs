namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>An <see cref="IProgress{T}"/> that reports synchronously on the reporting thread (unlike <see cref="Progress{T}"/>).</summary>
/// <typeparam name="T">The progress type.</typeparam>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value)
    {
        lock (this)
        {
            report(value);
        }
    }
}
