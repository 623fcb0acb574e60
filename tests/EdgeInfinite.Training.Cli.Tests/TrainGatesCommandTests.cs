using System.Text.Json;
using EdgeInfinite.Cli.Tests;

namespace EdgeInfinite.Training.Cli.Tests;

public sealed class TrainGatesCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void TrainGates_SmallPackage_WritesTrainedCopyThatGeneratesAndResumes()
    {
        string source = SmallPackage();
        string target = Path.Combine(fixture.Root, "trained");
        string checkpoint = Path.Combine(fixture.Root, "gates.ckpt");
        string sourceConfig = File.ReadAllText(Path.Combine(source, "edgeinfinite.json"));

        var run = TrainingCliRun.Invoke("train-gates", source, "-o", target, "--steps", "4", "--batch", "2", "--seq-len", "132", "--threads", "1", "--checkpoint", checkpoint);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("wrote " + target, run.Stdout);
        Assert.Contains("steps 1..4", run.Stdout);
        Assert.Contains("held-out loss: memory off", run.Stdout);
        Assert.Contains("step 4/4 loss", run.Stderr);
        Assert.Contains("132 tokens (8 segments", run.Stderr);
        Assert.True(File.Exists(checkpoint));
        Assert.Equal(sourceConfig, File.ReadAllText(Path.Combine(source, "edgeinfinite.json")));
        Assert.True(GatesTrained(target));
        Assert.False(GatesTrained(source));

        var generate = CliRun.Invoke("generate", target, "--prompt-ids", string.Join(",", CliFixture.ReferenceIds("llama", "long_prompt_ids").Take(200)), "--route", "long", "--max-new-tokens", "3", "--greedy", "--print-ids");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.Equal(3, generate.Stdout.Trim().Split(',').Length);

        var resumed = TrainingCliRun.Invoke("train-gates", source, "-o", target + "-resumed", "--steps", "6", "--batch", "2", "--seq-len", "132", "--threads", "1", "--checkpoint", checkpoint, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("steps 5..6", resumed.Stdout);
    }

    [Fact]
    public void TrainGates_DataIdsFile_TrainsOnTheTokenStream()
    {
        string ids = Path.Combine(fixture.Root, "train-ids.txt");
        File.WriteAllText(ids, string.Join(" ", CliFixture.ReferenceIds("llama", "long_prompt_ids")));
        string target = Path.Combine(fixture.Root, "trained-on-ids");

        var run = TrainingCliRun.Invoke("train-gates", SmallPackage(), "-o", target, "--steps", "2", "--batch", "2", "--threads", "1", "--data-ids", ids);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("data: train-ids.txt, 1,500 tokens", run.Stderr);
        Assert.True(GatesTrained(target));
    }

    [Fact]
    public void TrainGates_ResumeFromCraftedCheckpoint_OneErrorLineNamingFileAndField()
    {
        // A valid magic, version and checksum around a malformed 7-bit string length (the checksum is unkeyed).
        string checkpoint = Path.Combine(fixture.Root, "crafted.ckpt");
        byte[] body = [.. "EIGATECK"u8, .. BitConverter.GetBytes(2), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03];
        File.WriteAllBytes(checkpoint, [.. body, .. System.Security.Cryptography.SHA256.HashData(body)]);

        var run = TrainingCliRun.Invoke("train-gates", SmallPackage(), "-o", Path.Combine(fixture.Root, "never-crafted"), "--steps", "1", "--threads", "1", "--checkpoint", checkpoint, "--resume");

        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains(checkpoint, run.Error, StringComparison.Ordinal);
        Assert.Contains("packageRevision is malformed", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "never-crafted")));
    }

    [Fact]
    public void TrainGates_DataIdsOutsideVocabulary_OneLineErrorNamingTheId()
    {
        string ids = Path.Combine(fixture.Root, "bad-ids.txt");
        File.WriteAllText(ids, "1 2 3 99999");

        var run = TrainingCliRun.Invoke("train-gates", SmallPackage(), "-o", Path.Combine(fixture.Root, "never-bad"), "--steps", "1", "--data-ids", ids);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("'99999'", run.Error);
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "never-bad")));
    }

    /// <summary>
    /// The llama weights (vocab 384) with the fixture tokenizer (vocab 1024) beside them: the text is tokenized, and
    /// ids the model does not have are refused by name before anything is trained or written.
    /// </summary>
    [Fact]
    public void TrainGates_TextDataTokenizedBeyondTheModelVocabulary_OneLineErrorNamingTheId()
    {
        string checkpoint = Path.Combine(fixture.Root, "llama-with-tokenizer");
        Directory.CreateDirectory(checkpoint);
        foreach (string file in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(Path.Combine(CliFixture.FixtureDir("llama"), file), Path.Combine(checkpoint, file));
        }

        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer", file), Path.Combine(checkpoint, file));
        }

        string package = checkpoint + "-package";
        Assert.Equal(0, CliRun.Invoke("convert", checkpoint, "-o", package, "--sink", "4", "--window", "32", "--segment", "16", "--threshold", "64").ExitCode);
        string text = Path.Combine(fixture.Root, "corpus.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. Memory keeps what the window forgets. ", 60)));
        string target = Path.Combine(fixture.Root, "never-text");

        var run = TrainingCliRun.Invoke("train-gates", package, "-o", target, "--steps", "1", "--data", text);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Matches(@"token id \d+, outside the package's vocabulary \(0\.\.383\)", run.Error);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void TrainGates_OutputExists_OneLineError()
    {
        string source = SmallPackage();
        string target = Path.Combine(fixture.Root, "exists");
        Directory.CreateDirectory(target);

        var run = TrainingCliRun.Invoke("train-gates", source, "-o", target, "--steps", "1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("already exists", run.Error);
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void TrainGates_ResumeWithoutCheckpoint_OneLineError()
    {
        var run = TrainingCliRun.Invoke("train-gates", SmallPackage(), "-o", Path.Combine(fixture.Root, "never"), "--steps", "1", "--resume");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--resume needs --checkpoint", run.Error);
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "never")));
    }

    [Fact]
    public void TrainGates_SequenceTooShortForMemory_OneLineErrorNamingTheMinimum()
    {
        var run = TrainingCliRun.Invoke("train-gates", SmallPackage(), "-o", Path.Combine(fixture.Root, "short"), "--steps", "1", "--seq-len", "40");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("at least 4 segments", run.Error);
    }

    private static bool GatesTrained(string package)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(package, "edgeinfinite.json")));
        return doc.RootElement.GetProperty("longRoute").GetProperty("gatesTrained").GetBoolean();
    }

    /// <summary>The llama fixture with small S/W/L, so a training sequence crosses several evictions in 132 tokens.</summary>
    private string SmallPackage()
    {
        string dir = Path.Combine(fixture.Root, "small-llama");
        lock (fixture)
        {
            if (!Directory.Exists(dir))
            {
                var run = CliRun.Invoke("convert", CliFixture.FixtureDir("llama"), "-o", dir, "--sink", "4", "--window", "32", "--segment", "16", "--threshold", "64");
                Assert.True(run.ExitCode == 0, run.Stderr);
            }
        }

        return dir;
    }
}
