using System.Text.Json;

namespace EdgeInfinite.Cli.Tests;

public sealed class QuantizeCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void Quantize_Int4_WritesSmallerPackageThatGeneratesAndKeepsSource()
    {
        string source = fixture.Package("llama");
        byte[] sourceConfig = File.ReadAllBytes(Path.Combine(source, "edgeinfinite.json"));
        string target = Path.Combine(fixture.Root, "llama-int4");

        var run = CliRun.Invoke("quantize", source, "-o", target, "--precision", "int4", "--block-size", "32");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("int4 (block size 32, accuracy level 4)", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(sourceConfig, File.ReadAllBytes(Path.Combine(source, "edgeinfinite.json")));
        using (var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(target, "edgeinfinite.json"))))
        {
            var weights = config.RootElement.GetProperty("weights");
            Assert.Equal("int4", weights.GetProperty("precision").GetString());
            Assert.Equal(32, weights.GetProperty("blockSize").GetInt32());
            Assert.Equal(2, config.RootElement.GetProperty("formatVersion").GetInt32());
        }

        var generate = CliRun.Invoke("generate", target, "--prompt-ids", "5,17,42,99", "--max-new-tokens", "4", "--greedy", "--print-ids");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.All(generate.Stdout.Trim().Split(',').Select(int.Parse), id => Assert.InRange(id, 0, 383));
        Assert.Contains("weights       int4", CliRun.Invoke("inspect", target).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_UnknownPrecision_OneErrorLineNamingIt()
    {
        var run = CliRun.Invoke("convert", CliFixture.FixtureDir("llama"), "-o", Path.Combine(fixture.Root, "bad-precision"), "--precision", "int3");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("error: Unknown weight precision 'int3': use fp32, int8 or int4.", run.Error);
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "bad-precision")));
    }

    [Fact]
    public void Convert_BlockSizeNotDividingIntermediate_OneErrorLineNamingBlockSize()
    {
        // The llama fixture's intermediate size is 160: not a multiple of 64.
        var run = CliRun.Invoke("convert", CliFixture.FixtureDir("llama"), "-o", Path.Combine(fixture.Root, "bad-block"), "--precision", "int8", "--block-size", "64");

        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains("weights.blockSize = 64", run.Error, StringComparison.Ordinal);
        Assert.Contains("intermediateSize 160", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_Fp32Precision_OneErrorLine()
    {
        var run = CliRun.Invoke("quantize", fixture.Package("qwen2"), "-o", Path.Combine(fixture.Root, "qwen2-fp32"), "--precision", "fp32");

        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains("int8 or int4", run.Error, StringComparison.Ordinal);
    }
}
