using System.CommandLine;
using System.Text.Json;
using EdgeInfinite.CommandLine;

namespace EdgeInfinite.Cli.Tests;

/// <summary>
/// The host's catch turns every bad-input failure into one <c>error:</c> line: <see cref="JsonException"/> derives from
/// none of the documented families and ended the process with a stack trace before, and so did <see cref="OverflowException"/>.
/// </summary>
public sealed class CliHostTests
{
    public static TheoryData<Exception> BadInput => new()
    {
        new JsonException("'x.json': '1e400' is not valid here"),
        new OverflowException("'x.bin': a count overflows"),
        new FormatException("'x.txt': item 3 is not a number"),
        new InvalidDataException("'x.state': the route byte is 9"),
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public async Task RunAsync_CommandThrowsBadInputException_OneErrorLineAndExitCode1(Exception failure)
    {
        var root = new RootCommand("test");
        var verb = new Command("verb");
        verb.SetAction((_, _) => Task.FromException<int>(failure));
        root.Subcommands.Add(verb);
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = await CliHost.RunAsync(root, "tool", ["verb"], stdout, stderr);

        Assert.Equal(1, code);
        Assert.Equal($"error: {failure.Message}", stderr.ToString().TrimEnd());
        Assert.Empty(stdout.ToString());
    }
}
