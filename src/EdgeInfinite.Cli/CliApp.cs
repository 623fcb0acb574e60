using System.CommandLine;
using EdgeInfinite.Cli.Commands;

namespace EdgeInfinite.Cli;

/// <summary>The <c>edgeinfinite</c> command line: builds the command tree; <see cref="CliHost"/> turns every failure into one line on stderr.</summary>
internal static class CliApp
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error (progress and the one <c>error:</c> line).</param>
    /// <param name="cancellationToken">Cancels the command; the process wires it to Ctrl+C and SIGTERM (<see cref="TerminationSignals"/>).</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("EdgeInfinite: local long-context models with bounded memory (convert, quantize, upgrade, inspect, generate, eval, train-tokenizer, make-corpus, make-random, ...). The training verbs (pretrain, train-gates) are in the edgeinfinite-train tool.");
        root.Subcommands.Add(ConvertCommand.Create(stdout, stderr));
        root.Subcommands.Add(QuantizeCommand.Create(stdout, stderr));
        root.Subcommands.Add(UpgradeCommand.Create(stdout, stderr));
        root.Subcommands.Add(InspectCommand.Create(stdout));
        root.Subcommands.Add(GenerateCommand.Create(stdout, stderr));
        root.Subcommands.Add(SoakCommand.Create(stdout, stderr));
        root.Subcommands.Add(InspectStateCommand.Create(stdout));
        root.Subcommands.Add(BenchLongCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExportGgufCommand.Create(stdout));
        root.Subcommands.Add(TrainTokenizerCommand.Create(stdout, stderr));
        root.Subcommands.Add(MakeCorpusCommand.Create(stdout, stderr));
        root.Subcommands.Add(EvalCommand.Create(stdout, stderr));
        root.Subcommands.Add(MakeRandomCommand.Create(stdout, stderr));
        return CliHost.RunAsync(root, "edgeinfinite", args, stdout, stderr, cancellationToken);
    }
}
