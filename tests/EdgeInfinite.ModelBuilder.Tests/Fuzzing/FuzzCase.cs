using System.Diagnostics;

namespace EdgeInfinite.ModelBuilder.Tests.Fuzzing;

/// <summary>
/// Runs one fuzz case and checks its outcome: a valid result or one of the documented exception types; no other
/// exception, no hang (a read of the FIFO canary would block), the canary's content in no message, and bounded memory.
/// </summary>
public static class FuzzCase
{
    /// <summary>The managed bytes one case may allocate.</summary>
    public const long MaxAllocatedBytes = 256L << 20;

    /// <summary>The process working set allowed after a case.</summary>
    public const long MaxWorkingSetBytes = 3L << 30;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static readonly string[] s_contextFree =
    [
        "cannot be written as valid JSON",
        "7-bit encoded integer",
        "was not in a correct format",
        "Unable to read beyond the end of the stream",
        "Index was outside the bounds of the array",
        "The requested operation requires an element of type",
        "Arithmetic operation resulted in an overflow",
        "An item with the same key has already been added",
        "was not present in the dictionary",
    ];

    public static async Task RunAsync(string kind, int seed, Action action)
    {
        Exception? error = null;
        long allocated = 0;
        var task = Task.Factory.StartNew(
            () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    action();
                }
                catch (Exception ex)
                {
                    error = ex;
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await task.WaitAsync(s_timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{kind} case {seed} did not finish in {s_timeout.TotalSeconds} s (a hang, or a read of the FIFO canary outside the folder).");
        }

        if (error is not null)
        {
            Assert.True(IsDocumented(error), $"{kind} case {seed}: undocumented {error.GetType().FullName}: {error}");
            Assert.False(IsContextFree(error), $"{kind} case {seed}: a runtime message that names neither the file nor the field: {error}");
            Assert.DoesNotContain(FuzzFixture.Secret, error.ToString(), StringComparison.Ordinal);
        }

        Assert.True(allocated < MaxAllocatedBytes, $"{kind} case {seed} allocated {allocated:N0} bytes");
        using var self = Process.GetCurrentProcess();
        Assert.True(self.WorkingSet64 < MaxWorkingSetBytes, $"{kind} case {seed}: working set {self.WorkingSet64:N0} bytes");
    }

    /// <summary>The exception types the library documents for bad input.</summary>
    public static bool IsDocumented(Exception ex) => ex switch
    {
        EndOfStreamException => false,
        InvalidDataException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => true,
        IOException io => io.GetType() == typeof(IOException),
        ArgumentException => true,
        InvalidOperationException => ex.GetType() == typeof(InvalidOperationException),
        _ => false,
    };

    /// <summary>
    /// Whether the error is one of the runtime's messages that say nothing of where ("… cannot be written as valid
    /// JSON", "Too many bytes in what should have been a 7-bit encoded integer", "The input string '…' was not in a
    /// correct format"), thrown as it is. The library wraps these in an exception naming the file and the field, and
    /// keeps the original as the inner exception, so only an unwrapped one is a finding.
    /// </summary>
    public static bool IsContextFree(Exception ex) =>
        ex.InnerException is null && s_contextFree.Any(m => ex.Message.Contains(m, StringComparison.Ordinal));

    public static TheoryData<int> Seeds(int count)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
