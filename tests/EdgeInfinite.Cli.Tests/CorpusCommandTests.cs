using System.Text.Json;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Cli.Tests;

/// <summary>
/// train-tokenizer, make-corpus and eval recall through the CLI: the tokenizer is trained by the tool, a random-weight
/// Llama checkpoint with that vocabulary is written beside it and converted by the tool, then evaluated.
/// </summary>
public sealed class CorpusCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private static readonly string[] s_fields = ["suite", "seed", "mode", "length", "depth", "trials", "correct", "accuracy", "ci95Low", "ci95High", "meanLogProb"];

    [Fact]
    public void TrainTokenizer_Folder_WritesFilesGenAiLoads()
    {
        string dir = Path.Combine(fixture.Root, "tok-" + Guid.NewGuid().ToString("N"));

        var run = CliRun.Invoke("train-tokenizer", "-o", dir, "--vocab", "1024", "--seed", "3", "--corpus-chars", "300000");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("vocab 1024 (asked 1024)", run.Stdout, StringComparison.Ordinal);
        using var tokenizer = new EdgeInfiniteTokenizer(dir);
        Assert.Single(tokenizer.Encode(" Paris"));
        Assert.Equal("héllo 😀 <tool_call>", tokenizer.Decode(tokenizer.Encode("héllo 😀 <tool_call>")));
    }

    [Fact]
    public void MakeCorpus_SameSeedTwice_IdenticalFiles()
    {
        string a = Path.Combine(fixture.Root, "a-" + Guid.NewGuid().ToString("N") + ".txt");
        string b = Path.Combine(fixture.Root, "b-" + Guid.NewGuid().ToString("N") + ".txt");

        var first = CliRun.Invoke("make-corpus", "-o", a, "--seed", "5", "--samples", "40", "--max-tokens", "300");
        var second = CliRun.Invoke("make-corpus", "-o", b, "--seed", "5", "--samples", "40", "--max-tokens", "300");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Equal(File.ReadAllText(a), File.ReadAllText(b));
        Assert.Equal(40, File.ReadAllText(a).Split("<|endoftext|>\n").Length - 1);
    }

    [Fact]
    public void MakeCorpus_VariedStyle_DeterministicAndOtherTextThanTheDefault()
    {
        string[] files = [.. Enumerable.Range(0, 3).Select(i => Path.Combine(fixture.Root, $"style{i}-" + Guid.NewGuid().ToString("N") + ".txt"))];

        var varied = CliRun.Invoke("make-corpus", "-o", files[0], "--seed", "5", "--samples", "40", "--max-tokens", "300", "--corpus-style", "varied");
        var again = CliRun.Invoke("make-corpus", "-o", files[1], "--seed", "5", "--samples", "40", "--max-tokens", "300", "--corpus-style", "Varied");
        var template = CliRun.Invoke("make-corpus", "-o", files[2], "--seed", "5", "--samples", "40", "--max-tokens", "300");

        Assert.All([varied, again, template], r => Assert.True(r.ExitCode == 0, r.Stderr));
        Assert.Equal(File.ReadAllText(files[0]), File.ReadAllText(files[1]));
        Assert.NotEqual(File.ReadAllText(files[0]), File.ReadAllText(files[2]));
        Assert.Equal(40, File.ReadAllText(files[0]).Split("<|endoftext|>\n").Length - 1);
    }

    [Fact]
    public void EvalRecall_RandomWeightPackage_TableAndJsonWithOneRowPerRunCell()
    {
        string package = RandomPackage();
        string json = Path.Combine(fixture.Root, "recall-" + Guid.NewGuid().ToString("N") + ".json");

        var run = CliRun.Invoke("eval", "recall", package, "--lengths", "300,1500", "--trials", "2", "--seed", "4", "--depths", "0.1,0.9", "--json", json, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("| length | depth | long | memoff | short |", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("n/a (over max positions)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("| 1500 | 0.9 | ", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\| 300 \| 0\.1 \| [0-2]/2 \([0-9]+%, [0-9]+–[0-9]+%\), ln p -[0-9]+\.[0-9]{2} \|", run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToList();
        // 2 lengths × 2 depths × 3 modes, minus short at 1500 (over the 1024 max positions).
        Assert.Equal(10, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(s_fields, row.EnumerateObject().Select(p => p.Name));
            Assert.Equal(2, row.GetProperty("trials").GetInt32());
            int correct = row.GetProperty("correct").GetInt32();
            Assert.InRange(correct, 0, 2);
            Assert.Equal(correct / 2.0, row.GetProperty("accuracy").GetDouble(), 9);
            Assert.Equal("corpus", row.GetProperty("suite").GetString());
            Assert.Equal(4, row.GetProperty("seed").GetInt64());
            var ci = EdgeInfinite.Corpus.Recall.WilsonInterval.Of(correct, 2);
            Assert.Equal(ci.Low, row.GetProperty("ci95Low").GetDouble(), 12);
            Assert.Equal(ci.High, row.GetProperty("ci95High").GetDouble(), 12);
            Assert.InRange(row.GetProperty("meanLogProb").GetDouble(), -30, 0);
        }

        Assert.Equal(["long", "memoff", "short"], rows.Select(r => r.GetProperty("mode").GetString()).Distinct().Order());
        Assert.Equal(4, rows.Count(r => r.GetProperty("length").GetInt32() == 1500 && r.GetProperty("mode").GetString() != "short"));
        Assert.DoesNotContain(rows, r => r.GetProperty("length").GetInt32() == 1500 && r.GetProperty("mode").GetString() == "short");
    }

    [Fact]
    public void EvalRecall_HeldOutSuiteReportSeeds_TableNamesSuiteAndReportSeedJsonHasIntervals()
    {
        string package = RandomPackage();
        string json = Path.Combine(fixture.Root, "heldout-" + Guid.NewGuid().ToString("N") + ".json");

        var run = CliRun.Invoke("eval", "recall", package, "--suite", "heldout", "--seed-set", "report", "--lengths", "400", "--trials", "3", "--depths", "0.5", "--modes", "long", "--json", json, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.StartsWith($"heldout suite, seed {EdgeInfinite.Corpus.Recall.RecallSeeds.Report}:", run.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\| 400 \| 0\.5 \| [0-3]/3 \([0-9]+%, [0-9]+–[0-9]+%\), ln p -[0-9]+\.[0-9]{2} \|", run.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var row = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("heldout", row.GetProperty("suite").GetString());
        Assert.InRange(row.GetProperty("ci95Low").GetDouble(), 0, row.GetProperty("accuracy").GetDouble());
        Assert.InRange(row.GetProperty("ci95High").GetDouble(), row.GetProperty("accuracy").GetDouble(), 1);
    }

    [Theory]
    [InlineData(new[] { "--suite", "heldout", "--seed-set", "report", "--seed", "5" }, "--seed")]
    [InlineData(new[] { "--suite", "heldout", "--seed", "90210077" }, "is the report seed")]
    [InlineData(new[] { "--seed-set", "report" }, "only the heldout suite has seed sets")]
    [InlineData(new[] { "--suite", "heldout", "--seed-set", "final" }, "--seed-set")]
    [InlineData(new[] { "--suite", "mine" }, "--suite")]
    public void EvalRecall_SeedOrSuiteMisused_OneLineError(string[] options, string expected)
    {
        var run = CliRun.Invoke(["eval", "recall", fixture.Root, .. options]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--depths", "1.5", "--depths")]
    [InlineData("--modes", "long,fast", "--modes")]
    [InlineData("--lengths", "abc", "'abc' is not a token count")]
    public void EvalRecall_BadOption_OneLineErrorNamingIt(string option, string value, string expected)
    {
        var run = CliRun.Invoke("eval", "recall", fixture.Root, option, value);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalMemoryShare_RandomCheckpointWithTokenizer_OneRowPerLayerAndHeadWithSharesInUnitRange()
    {
        string checkpoint = Path.Combine(Path.GetDirectoryName(RandomPackage())!, "hf");

        var run = CliRun.Invoke("eval", "memory-share", checkpoint, "--length", "300", "--depth", "0.1", "--trials", "4", "--window", "64", "--segment", "32");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("| layer | head | softmax | EluPlusOne | Exponential | uniform |", run.Stdout, StringComparison.Ordinal);
        var rows = run.Stdout.Split('\n').Where(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\| [0-9]+ \| [0-9]+ \|")).ToList();
        Assert.Equal(2 * 4, rows.Count);
        foreach (string row in rows)
        {
            var cells = row.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(2).Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            Assert.All(cells, c => Assert.InRange(c, 0, 1));
            Assert.True(cells[3] > 0, row);
        }
    }

    [Fact]
    public void EvalMemoryShare_FolderWithoutTokenizer_OneLineErrorNamingTheFile()
    {
        string empty = Directory.CreateDirectory(Path.Combine(fixture.Root, "no-tokenizer-" + Guid.NewGuid().ToString("N"))).FullName;

        var run = CliRun.Invoke("eval", "memory-share", empty);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("has no tokenizer.json", run.Error, StringComparison.Ordinal);
    }

    private string RandomPackage()
    {
        string root = Path.Combine(fixture.Root, "recall-" + Guid.NewGuid().ToString("N"));
        string checkpoint = Path.Combine(root, "hf");
        var train = CliRun.Invoke("train-tokenizer", "-o", checkpoint, "--seed", "1", "--corpus-chars", "400000");
        Assert.True(train.ExitCode == 0, train.Stderr);
        File.Delete(Path.Combine(checkpoint, TokenizerFiles.GenAiConfigJson));
        int vocab = TokenizerFiles.Read(checkpoint).VocabSize;
        var spec = new TinyModelSpec { ModelType = "llama", VocabSize = vocab, HiddenSize = 64, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, HeadDim = 16, MaxPositionEmbeddings = 1024, Seed = 8 };
        TinyModel.Create(spec).WriteCheckpoint(checkpoint);
        string package = Path.Combine(root, "package");
        var convert = CliRun.Invoke("convert", checkpoint, "-o", package, "--sink", "4", "--window", "64", "--segment", "32", "--threshold", "512");
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        return package;
    }
}
