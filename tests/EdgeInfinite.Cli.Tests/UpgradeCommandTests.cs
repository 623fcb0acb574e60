using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.Cli.Tests;

public sealed class UpgradeCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void Upgrade_Float32Package_SameWeightsBytesSameLogitsNewRevision()
    {
        string source = fixture.Package("qwen2");
        string target = Path.Combine(fixture.Root, "qwen2-upgraded");

        var run = CliRun.Invoke("upgrade", source, "-o", target);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(source, "model.onnx.data")), File.ReadAllBytes(Path.Combine(target, "model.onnx.data")));
        using (var before = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(source, "edgeinfinite.json"))))
        using (var after = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(target, "edgeinfinite.json"))))
        {
            Assert.NotEqual(before.RootElement.GetProperty("revision").GetString(), after.RootElement.GetProperty("revision").GetString());
            Assert.Equal(2, after.RootElement.GetProperty("formatVersion").GetInt32());
        }

        string ids = string.Join(",", CliFixture.ReferenceIds("qwen2", "long_prompt_ids"));
        string a = Path.Combine(fixture.Root, "upgrade-before.bin"), b = Path.Combine(fixture.Root, "upgrade-after.bin");
        var r1 = CliRun.Invoke("generate", source, "--prompt-ids", ids, "--route", "long", "--max-new-tokens", "8", "--greedy", "--print-ids", "--dump-logits", a);
        var r2 = CliRun.Invoke("generate", target, "--prompt-ids", ids, "--route", "long", "--max-new-tokens", "8", "--greedy", "--print-ids", "--dump-logits", b);
        Assert.True(r1.ExitCode == 0 && r2.ExitCode == 0, r1.Stderr + r2.Stderr);
        Assert.Equal(r1.Stdout, r2.Stdout);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void Upgrade_ThenConfigFeatureScaleEdited_LoadRefusedNamingTheField()
    {
        string target = Path.Combine(fixture.Root, "llama-upgraded-edited");
        Assert.Equal(0, CliRun.Invoke("upgrade", fixture.Package("llama"), "-o", target).ExitCode);
        string configPath = Path.Combine(target, "edgeinfinite.json");
        var config = JsonNode.Parse(File.ReadAllText(configPath))!;
        config["longRoute"]!["featureScale"] = 2.5;
        File.WriteAllText(configPath, config.ToJsonString());

        var run = CliRun.Invoke("generate", target, "--prompt-ids", "1,2,3", "--max-new-tokens", "1", "--greedy");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("longRoute.featureScale", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Upgrade_QuantizedPackage_OneErrorLineAndNoOutput()
    {
        string int8 = Path.Combine(fixture.Root, "llama-int8-for-upgrade");
        Assert.Equal(0, CliRun.Invoke("quantize", fixture.Package("llama"), "-o", int8, "--precision", "int8", "--block-size", "32").ExitCode);
        string target = Path.Combine(fixture.Root, "llama-int8-upgraded");

        var run = CliRun.Invoke("upgrade", int8, "-o", target);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("weights.precision is already int8", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }
}
