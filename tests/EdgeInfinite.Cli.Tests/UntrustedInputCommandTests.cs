using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EdgeInfinite.Cli.Commands;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Onnx.Packaging;
using Onnx;

namespace EdgeInfinite.Cli.Tests;

/// <summary>
/// Bad input found by the audit of readers and writers ends in one <c>error:</c> line naming the file and the field,
/// and non-finite metrics are written, not lost: a GGUF export of a tokenizer with a negative id (an unhandled
/// IndexOutOfRangeException before), a chunk graph whose external-data offset is not a number (long.Parse's message
/// before), <c>bench-long</c> without lengths, and the recall and soak JSON writers fed NaN and infinities.
/// </summary>
public sealed class UntrustedInputCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    [Fact]
    public void ExportGguf_TokenizerWithNegativeId_OneErrorLineNamingTheField()
    {
        string dir = Directory.CreateDirectory(Path.Combine(fixture.Root, "gguf-negative-id")).FullName;
        foreach (string name in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(Path.Combine(CliFixture.FixtureDir("llama"), name), Path.Combine(dir, name));
        }

        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer", "tokenizer.json")))!;
        var vocab = tokenizer["model"]!["vocab"]!.AsObject();
        vocab[vocab.First().Key] = -3;
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), tokenizer.ToJsonString());

        var run = CliRun.Invoke("export-gguf", dir, "-o", Path.Combine(dir, "out.gguf"));

        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains("tokenizer.json", run.Error, StringComparison.Ordinal);
        Assert.Contains("model.vocab['", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "out.gguf")));
    }

    [Fact]
    public void Quantize_ExternalDataOffsetNotANumber_OneErrorLineNamingTheInitializer()
    {
        string dir = Path.Combine(fixture.Root, "bad-offset");
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(fixture.Package("llama")))
        {
            File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        }

        string graph = Path.Combine(dir, PackageConfig.Load(Path.Combine(dir, PackageConfig.FileName)).Files.ChunkGraph);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph));
        var tensor = model.Graph.Initializer.First(t => t.ExternalData.Count > 0);
        tensor.ExternalData.First(e => e.Key == "offset").Value = "12abc";
        File.WriteAllBytes(graph, Google.Protobuf.MessageExtensions.ToByteArray(model));

        var run = CliRun.Invoke("quantize", dir, "-o", Path.Combine(fixture.Root, "bad-offset-q"), "--precision", "int8");

        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains($"'{tensor.Name}'", run.Error, StringComparison.Ordinal);
        Assert.Contains("'offset' = '12abc'", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(fixture.Root, "bad-offset-q")));
    }

    [Fact]
    public void BenchLong_NoLengths_OneUsageErrorLine()
    {
        var run = CliRun.Invoke("bench-long", fixture.Package("llama"), "--lengths", ",");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("--lengths", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteJson_NonFiniteMeanLogProb_WritesNamedLiteralsThatReadBack()
    {
        string path = Path.Combine(fixture.Root, "recall-nonfinite.json");
        RecallResult[] results =
        [
            new(RecallMode.Long, 2000, 0.5, 4, 1) { MeanLogProb = double.NegativeInfinity },
            new(RecallMode.Short, 2000, 0.5, 4, 0) { MeanLogProb = double.NaN },
        ];

        EvalCommand.WriteJson(path, results, new RecallEvaluationOptions { Trials = 4, Modes = [RecallMode.Long, RecallMode.Short] });

        var rows = JsonNode.Parse(File.ReadAllText(path))!.AsArray();
        Assert.Equal("-Infinity", rows[0]!["meanLogProb"]!.GetValue<string>());
        Assert.Equal("NaN", rows[1]!["meanLogProb"]!.GetValue<string>());
        var options = new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };
        Assert.Equal(double.NegativeInfinity, rows[0]!["meanLogProb"].Deserialize<double>(options));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void ReadResult_SoakResultWithInfiniteRate_RoundTrips()
    {
        string path = Path.Combine(fixture.Root, "soak-infinite.json");
        var result = new SoakResult("m", "long", true, 64, true, 0, double.PositiveInfinity, 1024, double.NaN, [new SoakCheckpoint(64, double.PositiveInfinity, 1024, 0, 1, 1)]);

        File.WriteAllText(path, JsonSerializer.Serialize(result, SoakResult.Json));
        var back = BenchLongCommand.ReadResult(path, 64);

        Assert.Equal(double.PositiveInfinity, back.TokensPerSecond);
        Assert.True(double.IsNaN(back.PeakRssMb));
        Assert.Equal(double.PositiveInfinity, back.Checkpoints[0].TokensPerSecond);
    }

    [Theory]
    [InlineData("{\"tokens\": 1e400")]
    [InlineData("{\"tokens_per_second\": \"fast\", \"checkpoints\": []}")]
    [InlineData("null")]
    public void ReadResult_NotASoakResult_ThrowsInvalidDataExceptionNamingTheFile(string text)
    {
        string path = Path.Combine(fixture.Root, "soak-bad.json");
        File.WriteAllText(path, text);

        var ex = Assert.Throws<InvalidDataException>(() => BenchLongCommand.ReadResult(path, 64));

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }
}
