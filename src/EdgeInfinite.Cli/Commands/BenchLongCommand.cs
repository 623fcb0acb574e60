using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite bench-long &lt;package-dir&gt; --lengths 4k,32k,128k</c>: runs <c>soak</c> once per length (and mode)
/// in a fresh child process, so each run's peak RSS is its own, and prints a Markdown table with ratios to the
/// first length. Each length runs <c>--repeats</c> times and the median run is reported.
/// </summary>
internal static class BenchLongCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package folder." };
        var lengths = new Option<string>("--lengths") { Description = "Comma-separated token counts.", DefaultValueFactory = _ => "4k,32k,128k" };
        var memoryOff = new Option<bool>("--memory-off") { Description = "Benchmark sink + window only." };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads." };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the rows as JSON." };
        var repeats = new Option<int>("--repeats") { Description = "Runs per length; the row with the median throughput is reported.", DefaultValueFactory = _ => 3 };
        var command = new Command("bench-long", "Long-route prefill throughput and peak memory at several lengths, one process per length.")
        {
            package, lengths, memoryOff, threads, json, repeats,
        };
        command.SetAction((parse, ct) =>
        {
            var counts = parse.GetValue(lengths)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(SoakCommand.ParseCount).ToArray();
            if (counts.Length == 0)
            {
                throw new CliUsageException("--lengths: give at least one length");
            }

            var rows = new List<SoakResult>();
            foreach (long count in counts)
            {
                ct.ThrowIfCancellationRequested();
                int n = Math.Max(1, parse.GetValue(repeats));
                var runs = new List<SoakResult>();
                for (int i = 0; i < n; i++)
                {
                    stderr.WriteLine($"bench-long: {count:N0} tokens, run {i + 1} of {n} ...");
                    runs.Add(RunChild(parse.GetValue(package)!.FullName, count, parse.GetValue(memoryOff), parse.GetValue(threads)));
                }

                // The median run: one noisy run on a shared machine does not decide the figure.
                rows.Add(runs.OrderBy(r => r.TokensPerSecond).ElementAt(n / 2));
            }

            var first = rows[0];
            stdout.WriteLine("| tokens | prefill tokens/s | ratio to first | peak RSS MB | ratio to first | state bytes | tokens in memory | finite |");
            stdout.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |");
            foreach (var r in rows)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Tokens:N0} | {r.TokensPerSecond:N0} | {r.TokensPerSecond / first.TokensPerSecond:0.00} | {r.PeakRssMb:0.0} | {r.PeakRssMb / first.PeakRssMb:0.00} | {r.StateBytes:N0} | {r.Checkpoints[^1].TokensInMemory:N0} | {(r.Finite ? "yes" : "NO")} |"));
            }

            if (parse.GetValue(json) is { } file)
            {
                File.WriteAllText(file.FullName, JsonSerializer.Serialize(rows, SoakResult.Json));
            }

            return Task.FromResult(rows.All(r => r.Finite) ? 0 : 3);
        });
        return command;
    }

    /// <summary>Reads a child run's result file, naming the file when it is not a soak result.</summary>
    internal static SoakResult ReadResult(string path, long tokens)
    {
        try
        {
            var result = JsonSerializer.Deserialize<SoakResult>(File.ReadAllText(path), SoakResult.Json);
            return result is { Checkpoints.Count: > 0 }
                ? result
                : throw new InvalidDataException($"'{path}': the soak run at {tokens:N0} tokens wrote no result (checkpoints is missing or empty)");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}': the soak run at {tokens:N0} tokens wrote no valid result: {ex.Message}", ex);
        }
    }

    private static SoakResult RunChild(string package, long tokens, bool memoryOff, int? threads)
    {
        string output = Path.Combine(Path.GetTempPath(), $"edgeinfinite-bench-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this program's path to start a child run");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in new[] { "soak", package, "--tokens", tokens.ToString(CultureInfo.InvariantCulture), "--json", output })
        {
            start.ArgumentList.Add(arg);
        }

        if (memoryOff)
        {
            start.ArgumentList.Add("--memory-off");
        }

        if (threads is { } t)
        {
            start.ArgumentList.Add("--threads");
            start.ArgumentList.Add(t.ToString(CultureInfo.InvariantCulture));
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a child soak run");
            var stderrTask = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0 || !File.Exists(output))
            {
                string error = stderrTask.Result.Split('\n').LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? $"exit code {process.ExitCode}";
                throw new InvalidOperationException($"the soak run at {tokens:N0} tokens failed: {error}");
            }

            return ReadResult(output, tokens);
        }
        finally
        {
            File.Delete(output);
        }
    }
}
