namespace EdgeInfinite.Onnx.Tests;

/// <summary>Reports synchronously on the calling thread (unlike <see cref="Progress{T}"/>).</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
