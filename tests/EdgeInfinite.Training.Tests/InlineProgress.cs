namespace EdgeInfinite.Training.Tests;

/// <summary>Reports on the calling thread, in order.</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
