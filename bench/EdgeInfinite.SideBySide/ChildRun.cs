using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace EdgeInfinite.SideBySide;

/// <summary>Runs one measurement in a fresh process (so its peak RSS is its own: one engine per process) with a time cap.</summary>
internal static class ChildRun
{
    /// <summary>Runs <c>run-one</c> with <paramref name="arguments"/> and reads its JSON line into a row (bytes left to the caller).</summary>
    public static BenchRow Measure(string model, string mode, string weights, int length, IEnumerable<string> arguments, TimeSpan cap)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("run-one");
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a child run");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(cap))
        {
            process.Kill(entireProcessTree: true);
            return new BenchRow(model, mode, weights, length, null, null, null, null, $"over cap ({cap.TotalSeconds:0} s)");
        }

        string line = stdout.Result.Split('\n').LastOrDefault(l => l.StartsWith('{')) ?? string.Empty;
        if (process.ExitCode != 0 || line.Length == 0)
        {
            string error = stderr.Result.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? $"exit {process.ExitCode}";
            return new BenchRow(model, mode, weights, length, null, null, null, null, "failed: " + error);
        }

        ChildResult? r;
        try
        {
            r = JsonSerializer.Deserialize<ChildResult>(line, BenchJson.Options);
        }
        catch (JsonException ex)
        {
            return new BenchRow(model, mode, weights, length, null, null, null, null, $"failed: the child's result line is not valid JSON ({ex.Message})");
        }

        return r is null
            ? new BenchRow(model, mode, weights, length, null, null, null, null, "failed: the child's result line is null")
            : new BenchRow(model, mode, weights, length, r.TtftMs, r.PeakRssMb, r.DecodeTokensPerS, null, "ok");
    }
}
