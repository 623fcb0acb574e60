using System.Text.Json;

namespace EdgeInfinite.Cli.Tests;

public sealed class MakeRandomCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void MakeRandom_TinyPreset_ConvertsAndGenerates()
    {
        string hf = Path.Combine(fixture.Root, "random-tiny");
        string package = Path.Combine(fixture.Root, "random-tiny-pkg");

        var make = CliRun.Invoke("make-random", hf, "--preset", "tiny", "--layers", "3", "--seed", "4");
        Assert.True(make.ExitCode == 0, make.Stderr);
        Assert.Contains("3 layers", make.Stdout, StringComparison.Ordinal);
        using (var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(hf, "config.json"))))
        {
            Assert.Equal(3, config.RootElement.GetProperty("num_hidden_layers").GetInt32());
        }

        var convert = CliRun.Invoke("convert", hf, "-o", package);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        var generate = CliRun.Invoke("generate", package, "--prompt-ids", "5,17,42,99", "--max-new-tokens", "6", "--greedy", "--print-ids");
        Assert.True(generate.ExitCode == 0, generate.Stderr);

        // Greedy ids of random weights: at most 6 (EOS may come first), all in the vocabulary.
        var ids = generate.Stdout.Trim().Split(',').Select(int.Parse).ToArray();
        Assert.InRange(ids.Length, 1, 6);
        Assert.All(ids, id => Assert.InRange(id, 0, 255));
    }

    [Fact]
    public void MakeRandom_SameSeedTwice_SameBytes()
    {
        string a = Path.Combine(fixture.Root, "seed-a"), b = Path.Combine(fixture.Root, "seed-b");

        Assert.Equal(0, CliRun.Invoke("make-random", a, "--preset", "tiny", "--seed", "11").ExitCode);
        Assert.Equal(0, CliRun.Invoke("make-random", b, "--preset", "tiny", "--seed", "11").ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
    }

    [Theory]
    [InlineData("--preset", "gpt-9")]
    [InlineData("--layers", "0")]
    public void MakeRandom_BadOption_OneErrorLineAndNothingWritten(string option, string value)
    {
        string dir = Path.Combine(fixture.Root, "bad-" + value);
        string[] args = option == "--preset" ? ["make-random", dir, option, value] : ["make-random", dir, "--preset", "tiny", option, value];

        var run = CliRun.Invoke(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void MakeRandom_ExistingFolderWithoutOverwrite_Fails()
    {
        string dir = Path.Combine(fixture.Root, "twice");
        Assert.Equal(0, CliRun.Invoke("make-random", dir, "--preset", "tiny").ExitCode);

        var again = CliRun.Invoke("make-random", dir, "--preset", "tiny");
        var overwrite = CliRun.Invoke("make-random", dir, "--preset", "tiny", "--seed", "1", "--overwrite");

        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Equal(0, overwrite.ExitCode);
    }
}
