using EdgeInfinite.Cli.Tests;

namespace EdgeInfinite.Training.Cli.Tests;

public sealed class TrainingCliAppTests
{
    [Fact]
    public void RunAsync_Help_ListsTheTrainingVerbs()
    {
        var run = TrainingCliRun.Invoke("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("pretrain", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("train-gates", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("convert", run.Stdout.Split("Commands:")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void RunAsync_UnknownVerb_OneErrorLineNamingThisTool()
    {
        var run = TrainingCliRun.Invoke("convert", "x");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("see 'edgeinfinite-train --help'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunAsync_TrainingVerbOnTheMainTool_IsUnknownThere()
    {
        var run = CliRun.Invoke("train-gates", "x", "-o", "y", "--steps", "1");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("see 'edgeinfinite --help'", run.Error, StringComparison.Ordinal);
    }
}
