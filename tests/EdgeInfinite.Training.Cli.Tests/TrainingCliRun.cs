using EdgeInfinite.Cli.Tests;

namespace EdgeInfinite.Training.Cli.Tests;

/// <summary>Runs the <c>edgeinfinite-train</c> command line in-process and captures its output.</summary>
internal static class TrainingCliRun
{
    public static CliRun Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TrainingCliApp.RunAsync(args, stdout, stderr).GetAwaiter().GetResult();
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }
}
