namespace EdgeInfinite.Cli.Tests;

/// <summary>Runs the CLI in-process and captures its output.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public static CliRun Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.RunAsync(args, stdout, stderr).GetAwaiter().GetResult();
        return new CliRun(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The last line on stderr that starts with "error:", or null.</summary>
    public string? Error => Stderr.Split('\n').LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal));
}
