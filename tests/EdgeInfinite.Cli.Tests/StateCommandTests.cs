namespace EdgeInfinite.Cli.Tests;

public sealed class StateCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void GenerateSaveStateThenLoadState_ContinuesLikeOneRunOverTheWholeHistory()
    {
        var prompt = CliFixture.ReferenceIds("llama", "long_prompt_ids").Take(1400).ToArray();
        string package = fixture.Package("llama");
        string state = Path.Combine(fixture.Root, "state.bin");

        var first = CliRun.Invoke("generate", package, "--prompt-ids", string.Join(",", prompt), "--route", "long", "--max-new-tokens", "4", "--greedy", "--print-ids", "--save-state", state);
        Assert.True(first.ExitCode == 0, first.Stderr);
        var firstIds = first.Stdout.Trim().Split(',').Select(int.Parse).ToArray();
        var resumed = CliRun.Invoke("generate", package, "--load-state", state, "--prompt-ids", "7,8", "--max-new-tokens", "6", "--greedy", "--print-ids");
        var whole = CliRun.Invoke("generate", package, "--prompt-ids", string.Join(",", prompt.Concat(firstIds[..^1]).Concat([7, 8])), "--route", "long", "--max-new-tokens", "6", "--greedy", "--print-ids");

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(whole.Stdout.Trim(), resumed.Stdout.Trim());
        Assert.Contains("route long", resumed.Stderr);
    }

    [Fact]
    public void InspectState_SavedLongState_PrintsRouteAndTokenCounts()
    {
        string state = Path.Combine(fixture.Root, "inspect.bin");
        var prompt = CliFixture.ReferenceIds("qwen2", "long_prompt_ids");
        Assert.Equal(0, CliRun.Invoke("generate", fixture.Package("qwen2"), "--prompt-ids", string.Join(",", prompt), "--route", "long", "--max-new-tokens", "1", "--greedy", "--print-ids", "--save-state", state).ExitCode);

        var run = CliRun.Invoke("inspect-state", state);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("route         long, memory on", run.Stdout);
        Assert.Contains("tokens        1,500 processed", run.Stdout);
    }

    [Fact]
    public void InspectState_CorruptFile_OneLineChecksumError()
    {
        string state = Path.Combine(fixture.Root, "corrupt.bin");
        Assert.Equal(0, CliRun.Invoke("generate", fixture.Package("llama"), "--prompt-ids", "1,2,3", "--max-new-tokens", "1", "--greedy", "--print-ids", "--save-state", state).ExitCode);
        var bytes = File.ReadAllBytes(state);
        bytes[bytes.Length / 2] ^= 1;
        File.WriteAllBytes(state, bytes);

        var inspect = CliRun.Invoke("inspect-state", state);
        var load = CliRun.Invoke("generate", fixture.Package("llama"), "--load-state", state, "--prompt-ids", "4");

        Assert.NotEqual(0, inspect.ExitCode);
        Assert.Contains("checksum", inspect.Error);
        Assert.NotEqual(0, load.ExitCode);
        Assert.Contains("checksum", load.Error);
    }

    [Fact]
    public void Soak_LongRouteFewThousandTokens_FiniteAndConstantStateSize()
    {
        string json = Path.Combine(fixture.Root, "soak.json");

        var run = CliRun.Invoke("soak", fixture.Package("llama"), "--tokens", "5k", "--json", json);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("all logits and state finite", run.Stdout);
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(json));
        var sizes = doc.RootElement.GetProperty("checkpoints").EnumerateArray().Select(c => c.GetProperty("state_bytes").GetInt64()).Distinct().ToList();
        Assert.Single(sizes);
        Assert.Equal(5000, doc.RootElement.GetProperty("tokens").GetInt64());
    }
}
