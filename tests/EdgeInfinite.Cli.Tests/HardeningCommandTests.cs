using System.Diagnostics;
using System.Text.Json.Nodes;

namespace EdgeInfinite.Cli.Tests;

/// <summary>Hostile packages and arguments end in one <c>error:</c> line and a non-zero exit; interrupted commands leave nothing behind.</summary>
public sealed class HardeningCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void GenerateChat_TemplateBombPackage_OneErrorLineWithinTenSeconds()
    {
        string package = DefaultModelCopy("bomb");
        string config = Path.Combine(package, "tokenizer_config.json");
        var root = JsonNode.Parse(File.ReadAllText(config))!;
        root["chat_template"] = "{% for i in range(100000000) %}x{% endfor %}";
        File.WriteAllText(config, root.ToJsonString());
        var clock = Stopwatch.StartNew();

        var run = CliRun.Invoke("generate", package, "--prompt", "hello", "--chat", "--max-new-tokens", "1");

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains("chat_template", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10000")]
    [InlineData("-1")]
    public void Generate_ThreadsOutOfRange_OneErrorLine(string threads)
    {
        var run = CliRun.Invoke("generate", fixture.Package("llama"), "--prompt-ids", "1,2,3", "--threads", threads, "--max-new-tokens", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--threads", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_MaxNewTokensIntMaxOnShortRoute_ErrorInsteadOfOverflow()
    {
        var run = CliRun.Invoke("generate", fixture.Package("llama"), "--prompt-ids", "1,2,3", "--route", "short", "--max-new-tokens", int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("short route holds at most", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_SaveStateThatCannotBeMovedIntoPlace_RemovesThePartialFile()
    {
        string target = Directory.CreateDirectory(Path.Combine(fixture.Root, "state-is-a-folder")).FullName;

        var run = CliRun.Invoke("generate", fixture.Package("llama"), "--prompt-ids", "1,2,3", "--max-new-tokens", "1", "--greedy", "--save-state", target);

        Assert.Equal(1, run.ExitCode);
        Assert.False(File.Exists(target + ".partial"));
    }

    [Fact]
    public async Task Generate_CancelledToken_ExitsWith130AndSavesNothing()
    {
        string state = Path.Combine(fixture.Root, "cancelled.state");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = await CliApp.RunAsync(["generate", fixture.Package("llama"), "--prompt-ids", "1,2,3", "--max-new-tokens", "4", "--save-state", state], stdout, stderr, cts.Token);

        Assert.Equal(130, code);
        Assert.False(File.Exists(state));
        Assert.False(File.Exists(state + ".partial"));
    }

    [Fact]
    public void Convert_OverwriteFolderOfOtherFiles_RefusesAndDeletesNothing()
    {
        string target = Directory.CreateDirectory(Path.Combine(fixture.Root, "my-documents")).FullName;
        File.WriteAllText(Path.Combine(target, "notes.txt"), "keep");

        var run = CliRun.Invoke("convert", CliFixture.FixtureDir("llama"), "-o", target, "--overwrite");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("not an EdgeInfinite package", run.Error, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(target, "notes.txt")));
    }

    [Fact]
    public async Task Convert_SigtermToTheProcess_RemovesTheStagingFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string checkpoint = Path.Combine(fixture.Root, "random-300");
        Assert.Equal(0, CliRun.Invoke("make-random", checkpoint, "--preset", "tiny", "--layers", "300").ExitCode);
        string parent = Directory.CreateDirectory(Path.Combine(fixture.Root, "sigterm-out")).FullName;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in new[] { typeof(CliApp).Assembly.Location, "convert", checkpoint, "-o", Path.Combine(parent, "package") })
        {
            start.ArgumentList.Add(arg);
        }

        using var child = Process.Start(start)!;
        var stderr = child.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories(parent, ".package.partial-*").Any())
        {
            Assert.False(child.HasExited, "the conversion ended before its staging folder was seen");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no staging folder appeared");
            Thread.Sleep(20);
        }

        using (var kill = Process.Start("kill", ["-TERM", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "the process did not stop after SIGTERM");
        Assert.Equal(130, child.ExitCode);
        Assert.Contains("error: cancelled", await stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    private string DefaultModelCopy(string name)
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(repo.FullName, "models", "edgeinfinite-tiny")))
        {
            repo = repo.Parent ?? throw new DirectoryNotFoundException("models/edgeinfinite-tiny not found above the test assembly");
        }

        string target = Directory.CreateDirectory(Path.Combine(fixture.Root, name)).FullName;
        foreach (string file in Directory.GetFiles(Path.Combine(repo.FullName, "models", "edgeinfinite-tiny")))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        return target;
    }
}
