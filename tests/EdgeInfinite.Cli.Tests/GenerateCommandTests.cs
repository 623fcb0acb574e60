using System.Globalization;

namespace EdgeInfinite.Cli.Tests;

public sealed class GenerateCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    public static TheoryData<string> Architectures => new() { "llama", "qwen2" };

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Generate_PromptIdsGreedyPrintIds_PrintsTransformersGreedyIdsAndDumpsPromptLogits(string arch)
    {
        string dump = Path.Combine(fixture.Root, arch + "-prompt.f32");
        var prompt = CliFixture.ReferenceIds(arch, "prompt_ids");

        var run = CliRun.Invoke("generate", fixture.Package(arch), "--prompt-ids", string.Join(",", prompt), "--max-new-tokens", "24", "--greedy", "--print-ids", "--dump-logits", dump);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(string.Join(",", CliFixture.ReferenceIds(arch, "greedy_new_ids")), run.Stdout.Trim());
        var expected = CliFixture.ReadF32(Path.Combine(CliFixture.FixtureDir(arch), "prompt_logits.f32"));
        Assert.True(MaxAbsDiff(CliFixture.ReadF32(dump), expected) <= 1e-4);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Generate_LongPromptIdsFileWhitespaceSeparated_LastFourLogitsMatchTransformers(string arch)
    {
        string idsFile = Path.Combine(fixture.Root, arch + "-long.txt");
        string dump = Path.Combine(fixture.Root, arch + "-long.f32");
        var prompt = CliFixture.ReferenceIds(arch, "long_prompt_ids");
        File.WriteAllText(idsFile, string.Join(" \n", prompt.Chunk(37).Select(c => string.Join("\t", c))));

        var run = CliRun.Invoke("generate", fixture.Package(arch), "--prompt-ids-file", idsFile, "--max-new-tokens", "1", "--greedy", "--route", "short", "--print-ids", "--dump-logits", dump);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var all = CliFixture.ReadF32(dump);
        var expected = CliFixture.ReadF32(Path.Combine(CliFixture.FixtureDir(arch), "long_last4_logits.f32"));
        Assert.Equal(prompt.Length * (expected.Length / 4), all.Length);
        Assert.True(MaxAbsDiff(all.AsSpan(all.Length - expected.Length), expected) <= 1e-3);
        Assert.Contains("prefill", run.Stderr);
    }

    [Fact]
    public void Generate_LongPromptGreedy_StatsLineGivesTtftAndDecodeRateAlone()
    {
        var prompt = CliFixture.ReferenceIds("qwen2", "long_prompt_ids");

        var run = CliRun.Invoke("generate", fixture.Package("qwen2"), "--prompt-ids", string.Join(",", prompt), "--max-new-tokens", "12", "--greedy", "--print-ids");

        Assert.True(run.ExitCode == 0, run.Stderr);
        string stats = run.Stderr.Split('\n').Last(l => l.Contains("ttft", StringComparison.Ordinal));
        var match = System.Text.RegularExpressions.Regex.Match(stats, @"generated (\d+), ttft (\d+) ms, decode ([0-9.]+) tokens/s, ([0-9.]+) tokens/s overall");
        Assert.True(match.Success, stats);
        int generated = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double decode = double.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture);
        double overall = double.Parse(match.Groups[4].Value, CultureInfo.InvariantCulture);
        Assert.Equal(run.Stdout.Trim().Split(',').Length, generated);
        Assert.True(generated >= 2, stats);

        // The overall rate includes the prefill of the whole prompt; the decode rate does not, so it is higher.
        Assert.True(decode > overall, stats);
    }

    [Fact]
    public void Generate_OneNewToken_DecodeRateIsNotApplicable()
    {
        var run = CliRun.Invoke("generate", fixture.Package("llama"), "--prompt-ids", "1,2,3", "--max-new-tokens", "1", "--greedy", "--print-ids");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("generated 1, ttft ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(" ms, decode n/a, ", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11, 1000, 3000, "5.0 tokens/s")]
    [InlineData(2, 0, 250, "4.0 tokens/s")]
    [InlineData(1, 500, 500, "n/a")]
    [InlineData(0, 0, 0, "n/a")]
    public void FormatDecodeRate_Timestamps_TokensAfterFirstOverTimeAfterFirst(int generated, int firstMs, int lastMs, string expected)
    {
        Assert.Equal(expected, Commands.GenerateCommand.FormatDecodeRate(generated, TimeSpan.FromMilliseconds(firstMs), TimeSpan.FromMilliseconds(lastMs)));
    }

    [Fact]
    public void Inspect_Package_PrintsFamilyDimensionsAndLongRouteSettings()
    {
        var run = CliRun.Invoke("inspect", fixture.Package("qwen2"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("family        qwen2", run.Stdout);
        Assert.Contains("layers 3, hidden 64, intermediate 128, heads 4, kv heads 1, head dim 16, vocab 384", run.Stdout);
        Assert.Contains("long route    S 4, W 1024, L 256", run.Stdout);
        Assert.Contains("model.onnx.data", run.Stdout);
    }

    [Theory]
    [InlineData("generate {pkg} --prompt-ids 1,2,x", "item 3 contains 'x'")]
    [InlineData("generate {pkg} --prompt-ids 1,99999", "'99999'")]
    [InlineData("generate {pkg} --prompt-ids 1 --prompt-ids-file nowhere.txt", "exactly one of")]
    [InlineData("generate {pkg} --prompt-ids-file {missing}", "does not exist")]
    [InlineData("generate {pkg} --prompt hello", "has no tokenizer")]
    [InlineData("generate {pkg} --prompt-ids 1 --top-p 0", "TopP")]
    [InlineData("generate {pkg} --prompt-ids 1 --route sideways", "sideways")]
    [InlineData("generate {missing} --prompt-ids 1", "does not exist")]
    [InlineData("convert {missing} -o {out}", "does not exist")]
    [InlineData("convert {fixture} -o {pkg}", "already exists")]
    [InlineData("inspect {missing}", "does not exist")]
    [InlineData("frobnicate", "frobnicate")]
    public void Command_BadInput_OneLineErrorAndNonZeroExit(string commandLine, string expected)
    {
        string missing = Path.Combine(fixture.Root, "missing-" + Guid.NewGuid().ToString("N"));
        var args = commandLine.Split(' ').Select(a => a
            .Replace("{pkg}", fixture.Package("llama"), StringComparison.Ordinal)
            .Replace("{missing}", missing, StringComparison.Ordinal)
            .Replace("{out}", Path.Combine(fixture.Root, "never"), StringComparison.Ordinal)
            .Replace("{fixture}", CliFixture.FixtureDir("llama"), StringComparison.Ordinal)).ToArray();

        var run = CliRun.Invoke(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains(expected, run.Error);
        Assert.DoesNotContain(run.Stderr.Split('\n'), l => l.StartsWith("   at ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "never")));
    }
}
