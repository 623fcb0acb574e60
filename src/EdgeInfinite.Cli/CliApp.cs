using System.CommandLine;
using EdgeInfinite.Cli.Commands;

namespace EdgeInfinite.Cli;

/// <summary>The <c>edgeinfinite</c> command line: builds the command tree and turns every failure into one line on stderr.</summary>
internal static class CliApp
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error (progress and the one <c>error:</c> line).</param>
    /// <param name="cancellationToken">Cancels the command; the process wires it to Ctrl+C and SIGTERM (<see cref="TerminationSignals"/>).</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("EdgeInfinite: local long-context models with bounded memory (convert, inspect, generate, eval, train-tokenizer, pretrain, train-gates, make-random).");
        root.Subcommands.Add(ConvertCommand.Create(stdout, stderr));
        root.Subcommands.Add(InspectCommand.Create(stdout));
        root.Subcommands.Add(GenerateCommand.Create(stdout, stderr));
        root.Subcommands.Add(SoakCommand.Create(stdout, stderr));
        root.Subcommands.Add(InspectStateCommand.Create(stdout));
        root.Subcommands.Add(BenchLongCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExportGgufCommand.Create(stdout));
        root.Subcommands.Add(TrainTokenizerCommand.Create(stdout, stderr));
        root.Subcommands.Add(MakeCorpusCommand.Create(stdout, stderr));
        root.Subcommands.Add(EvalCommand.Create(stdout, stderr));
        root.Subcommands.Add(TrainGatesCommand.Create(stdout, stderr));
        root.Subcommands.Add(MakeRandomCommand.Create(stdout, stderr));
        root.Subcommands.Add(PretrainCommand.Create(stdout, stderr));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await stderr.WriteLineAsync($"error: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see 'edgeinfinite --help')");
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
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or InvalidOperationException or UnauthorizedAccessException or NotSupportedException or FormatException or CliUsageException or KeyNotFoundException)
        {
            await stderr.WriteLineAsync($"error: {OneLine(ex.Message)}");
            return 1;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}
