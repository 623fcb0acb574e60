using System.CommandLine;

namespace EdgeInfinite.CommandLine;

/// <summary>Runs a command tree of the EdgeInfinite tools and turns every failure into one line on stderr.</summary>
public static class CliHost
{
    /// <summary>Parses and invokes <paramref name="root"/>.</summary>
    /// <param name="root">The tool's commands.</param>
    /// <param name="toolName">The command users type, named in the usage hint after a parse error.</param>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Where results go.</param>
    /// <param name="stderr">Where progress and the <c>error:</c> line go.</param>
    /// <param name="cancellationToken">Cancels the command (the tools wire it to Ctrl+C and SIGTERM); the command finishes its own clean-up first.</param>
    /// <returns>The exit code: the command's own, 2 when the command line does not parse, 1 for a bad value or file, 130 when cancelled.</returns>
    public static async Task<int> RunAsync(RootCommand root, string toolName, string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentException.ThrowIfNullOrEmpty(toolName);
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"error: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see '{toolName} --help')");
            return 2;
        }

        try
        {
            // The command gets the token and finishes its own clean-up (staging folders, partial files) before the
            // process ends: no termination timeout that would return while the command is still writing.
            var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            return await parsed.InvokeAsync(configuration, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("error: cancelled");
            return 130;
        }
        catch (Exception ex) when (IsBadInput(ex))
        {
            await stderr.WriteLineAsync($"error: {OneLine(ex.Message)}");
            return 1;
        }
    }

    /// <summary>
    /// The failures bad input ends in: the documented families, plus the parser and arithmetic exceptions a value
    /// from a file or the command line can still raise (<see cref="System.Text.Json.JsonException"/> does not derive from
    /// any of them, and an unhandled one would end the process with a stack trace instead of one line).
    /// </summary>
    private static bool IsBadInput(Exception ex) =>
        ex is IOException or InvalidDataException or ArgumentException or InvalidOperationException or UnauthorizedAccessException
            or NotSupportedException or FormatException or CliUsageException or KeyNotFoundException or System.Text.Json.JsonException
            or OverflowException;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
