using System.Runtime.InteropServices;

namespace EdgeInfinite.Training;

/// <summary>
/// Process-wide TorchSharp set-up that has to happen before libtorch loads. libtorch's OpenMP threads busy-wait between
/// parallel regions by default; on a machine whose cores are shared (builds, other processes) that made a training
/// step 10–30× slower than on one thread. <c>OMP_WAIT_POLICY=PASSIVE</c> (unless the user set it) lets them sleep.
/// OpenMP reads it from the native environment when it loads, which .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change on Unix, hence <c>setenv</c>.
/// </summary>
internal static partial class TorchRuntime
{
    private static int s_initialized;

    /// <summary>Applies the settings once; call before the first TorchSharp call (later calls are no-ops).</summary>
    public static void EnsureInitialized()
    {
        if (Interlocked.Exchange(ref s_initialized, 1) != 0)
        {
            return;
        }

        if ((OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null)
        {
            _ = SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
