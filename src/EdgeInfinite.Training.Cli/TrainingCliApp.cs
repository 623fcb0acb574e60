using System.CommandLine;
using EdgeInfinite.Training.Cli.Commands;

namespace EdgeInfinite.Training.Cli;

/// <summary>The <c>edgeinfinite-train</c> command line: the verbs that need TorchSharp and libtorch; <see cref="CliHost"/> turns every failure into one line on stderr.</summary>
internal static class TrainingCliApp
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error (progress and the one <c>error:</c> line).</param>
    /// <param name="cancellationToken">Cancels the command; the process wires it to Ctrl+C and SIGTERM, so a trainer saves its checkpoint and stops.</param>
    /// <returns>The exit code.</returns>
    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var root = new RootCommand("EdgeInfinite training (TorchSharp, libtorch): pretrain a model from a seed, train the memory gates of a package. Converting, running and evaluating packages is the edgeinfinite tool's.");
        root.Subcommands.Add(PretrainCommand.Create(stdout, stderr));
        root.Subcommands.Add(TrainGatesCommand.Create(stdout, stderr));
        return CliHost.RunAsync(root, "edgeinfinite-train", args, stdout, stderr, cancellationToken);
    }
}
