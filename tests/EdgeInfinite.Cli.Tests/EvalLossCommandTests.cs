using System.Text.Json;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Loss;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Tokenization;
using EdgeInfinite.Reference;

namespace EdgeInfinite.Cli.Tests;

/// <summary>
/// <c>eval loss</c> on the embedded default model: the engine's numbers against the same loss computed from the float64
/// reference's logits, the held-out corpus against its <c>make-corpus</c> file, the JSON shape and bad arguments.
/// </summary>
public sealed class EvalLossCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private static readonly string[] s_fields = ["source", "seed", "precision", "mode", "sequenceTokens", "sequences", "tokens", "loss", "perplexity", "assistantTokens", "assistantLoss", "assistantPerplexity"];

    [Fact]
    public void EvalLoss_DefaultModelEveryRoute_EqualsCrossEntropyOfFloat64ReferenceLogits()
    {
        // 600 tokens: past S + W + L = 324, so the long route evicts to memory and its trained gates read it.
        const int Tokens = 600;
        string package = DefaultModel();
        string data = WriteCorpus("reference", seed: 5, samples: 12);
        string json = NewPath("reference.json");

        var run = CliRun.Invoke("eval", "loss", package, "--data", data, "--tokens", $"{Tokens}", "--seq-len", $"{Tokens}", "--route", "long,memoff,short", "--json", json, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var tokenizer = new EdgeInfiniteTokenizer(package);
        int[] ids = tokenizer.Encode(File.ReadAllText(data))[..Tokens];
        var read = PackageWeightsReader.Read(package);
        var expected = new Dictionary<string, double>
        {
            ["long"] = MeanCrossEntropy(new ReferenceLongRoute(read.Weights, read.Config.LongRoute, read.GateWeights, read.GateBiases).Process(ids), ids),
            ["memoff"] = MeanCrossEntropy(new ReferenceLongRoute(read.Weights, read.Config.LongRoute, read.GateWeights, read.GateBiases, memoryOn: false).Process(ids), ids),
            ["short"] = MeanCrossEntropy(new ReferenceTransformer(read.Weights).Forward(ids), ids),
        };
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(["long", "memoff", "short"], rows.Select(r => r.GetProperty("mode").GetString()));
        foreach (var row in rows)
        {
            string mode = row.GetProperty("mode").GetString()!;
            Assert.Equal(Tokens - 1, row.GetProperty("tokens").GetInt64());
            Assert.True(Math.Abs(expected[mode] - row.GetProperty("loss").GetDouble()) <= 1e-5, $"{mode}: engine {row.GetProperty("loss").GetDouble():F8}, reference {expected[mode]:F8}");
        }

        // Not vacuous: the routes differ by more than the tolerance on this text.
        Assert.True(Math.Abs(expected["long"] - expected["short"]) > 1e-3, $"long {expected["long"]:F6}, short {expected["short"]:F6}");
    }

    [Theory]
    [InlineData("int8")]
    [InlineData("int4")]
    public void EvalLoss_QuantizedDefaultModelAccuracyLevel0_EqualsReferenceOnDequantizedWeights(string precision)
    {
        // Accuracy level 0: MatMulNBits computes in float32 on the dequantized weights, which the reference reads back.
        const int Tokens = 400;
        string package = NewPath("tiny-" + precision);
        var quantize = CliRun.Invoke("quantize", DefaultModel(), "-o", package, "--precision", precision, "--block-size", "16", "--accuracy-level", "0");
        Assert.True(quantize.ExitCode == 0, quantize.Stderr);
        string data = WriteCorpus("quantized", seed: 6, samples: 8);
        string json = NewPath(precision + ".json");

        var run = CliRun.Invoke("eval", "loss", package, "--data", data, "--tokens", $"{Tokens}", "--seq-len", $"{Tokens}", "--route", "long,short", "--json", json, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var tokenizer = new EdgeInfiniteTokenizer(package);
        int[] ids = tokenizer.Encode(File.ReadAllText(data))[..Tokens];
        var read = PackageWeightsReader.Read(package);
        var fp32 = PackageWeightsReader.Read(DefaultModel());
        var expected = new Dictionary<string, double>
        {
            ["long"] = MeanCrossEntropy(new ReferenceLongRoute(read.Weights, read.Config.LongRoute, read.GateWeights, read.GateBiases).Process(ids), ids),
            ["short"] = MeanCrossEntropy(new ReferenceTransformer(read.Weights).Forward(ids), ids),
        };
        double unquantized = MeanCrossEntropy(new ReferenceTransformer(fp32.Weights).Forward(ids), ids);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            string mode = row.GetProperty("mode").GetString()!;
            Assert.Equal(precision, row.GetProperty("precision").GetString());
            Assert.True(Math.Abs(expected[mode] - row.GetProperty("loss").GetDouble()) <= 1e-5, $"{mode}: engine {row.GetProperty("loss").GetDouble():F8}, reference {expected[mode]:F8}");
        }

        // Not vacuous: quantization moved the reference's loss by more than the tolerance.
        Assert.True(Math.Abs(expected["short"] - unquantized) > 1e-5, $"{precision} {expected["short"]:F8}, fp32 {unquantized:F8}");
    }

    [Fact]
    public void EvalLoss_HeldOutCorpusAndItsMakeCorpusFile_SameNumbersAndJsonShape()
    {
        string package = DefaultModel();
        string data = WriteCorpus("heldout", seed: HeldOutLossText.Seed, samples: 8);
        string fromCorpus = NewPath("corpus.json");
        string fromFile = NewPath("file.json");
        string[] common = ["--tokens", "1200", "--seq-len", "400", "--route", "long,short", "--threads", "1"];

        var corpus = CliRun.Invoke(["eval", "loss", package, "--json", fromCorpus, .. common]);
        var file = CliRun.Invoke(["eval", "loss", package, "--data", data, "--json", fromFile, .. common]);

        Assert.True(corpus.ExitCode == 0, corpus.Stderr);
        Assert.True(file.ExitCode == 0, file.Stderr);
        Assert.StartsWith($"held-out synthetic corpus, seed {HeldOutLossText.Seed}: 1,200 tokens", corpus.Stdout, StringComparison.Ordinal);
        Assert.Contains("| route | tokens | loss | ppl | assistant tokens | assistant loss | assistant ppl |", corpus.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"\| long \| 1,197 \| [0-9]\.[0-9]{4} \| [0-9]+\.[0-9]{3} \| [0-9,]+ \| [0-9]\.[0-9]{4} \| [0-9]+\.[0-9]{3} \|", corpus.Stdout);
        using var a = JsonDocument.Parse(File.ReadAllText(fromCorpus));
        using var b = JsonDocument.Parse(File.ReadAllText(fromFile));
        var rows = a.RootElement.EnumerateArray().Zip(b.RootElement.EnumerateArray()).ToList();
        Assert.Equal(2, rows.Count);
        foreach (var (c, f) in rows)
        {
            Assert.Equal(s_fields, c.EnumerateObject().Select(p => p.Name));
            Assert.Equal(s_fields, f.EnumerateObject().Select(p => p.Name));
            Assert.Equal("heldout", c.GetProperty("source").GetString());
            Assert.Equal(HeldOutLossText.Seed, c.GetProperty("seed").GetInt64());
            Assert.Equal(Path.GetFileName(data), f.GetProperty("source").GetString());
            Assert.Equal(JsonValueKind.Null, f.GetProperty("seed").ValueKind);
            Assert.Equal("fp32", c.GetProperty("precision").GetString());
            Assert.Equal(3, c.GetProperty("sequences").GetInt32());
            Assert.Equal(3 * 399, c.GetProperty("tokens").GetInt64());
            double loss = c.GetProperty("loss").GetDouble();
            Assert.InRange(loss, 0.01, Math.Log(1386));
            Assert.Equal(Math.Exp(loss), c.GetProperty("perplexity").GetDouble(), 9);
            Assert.InRange(c.GetProperty("assistantTokens").GetInt64(), 1, 3 * 399 - 1);
            foreach (string field in new[] { "loss", "assistantLoss", "assistantTokens" })
            {
                Assert.Equal(c.GetProperty(field).GetDouble(), f.GetProperty(field).GetDouble(), 12);
            }
        }
    }

    [Fact]
    public void EvalLoss_PlainTextData_AssistantColumnsNotApplicable()
    {
        string data = NewPath("plain.txt");
        File.WriteAllText(data, string.Join(" ", Enumerable.Repeat("The weather in Paris is sunny and the temperature is twelve degrees.", 12)));
        string json = NewPath("plain.json");

        var run = CliRun.Invoke("eval", "loss", DefaultModel(), "--data", data, "--route", "short", "--json", json, "--threads", "1");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("| 0 | n/a | n/a |", run.Stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var row = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal(0, row.GetProperty("assistantTokens").GetInt64());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("assistantLoss").ValueKind);
        Assert.True(row.GetProperty("loss").GetDouble() > 0);
    }

    [Theory]
    [InlineData(new[] { "--route", "fast" }, "--route: 'fast' is not a route")]
    [InlineData(new[] { "--tokens", "abc" }, "--tokens: 'abc' is not a token count")]
    [InlineData(new[] { "--seq-len", "1" }, "--seq-len: 1 is out of range")]
    [InlineData(new[] { "--data", "corpus.txt", "--seed", "3" }, "--seed: only the synthetic corpus has a seed")]
    [InlineData(new[] { "--seq-len", "40000", "--route", "short" }, "--seq-len 40000 is over the package's max positions (32768)")]
    [InlineData(new[] { "--data", "missing.txt" }, "missing.txt' does not exist")]
    public void EvalLoss_BadArgument_OneLineErrorNamingIt(string[] options, string expected)
    {
        var run = CliRun.Invoke(["eval", "loss", DefaultModel(), .. options]);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Single(run.Stderr.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
    }

    [Fact]
    public void EvalLoss_TokenizerWithoutChatMlMarker_PlainDataScoredAndSyntheticCorpusRefused()
    {
        string package = NewPath("no-chatml");
        Directory.CreateDirectory(package);
        foreach (string file in Directory.GetFiles(DefaultModel()))
        {
            File.Copy(file, Path.Combine(package, Path.GetFileName(file)));
        }

        // The marker becomes another added token: "<|im_start|>" is then several tokens of this tokenizer.
        string tokenizerJson = Path.Combine(package, "tokenizer.json");
        File.WriteAllText(tokenizerJson, File.ReadAllText(tokenizerJson).Replace("<|im_start|>", "<|xx_start|>", StringComparison.Ordinal));
        string data = WriteCorpus("no-chatml", seed: 7, samples: 3);
        string json = NewPath("no-chatml.json");

        var plain = CliRun.Invoke("eval", "loss", package, "--data", data, "--tokens", "300", "--route", "short", "--json", json, "--threads", "1");
        var synthetic = CliRun.Invoke("eval", "loss", package, "--tokens", "300", "--threads", "1");

        Assert.True(plain.ExitCode == 0, plain.Stderr);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(0, Assert.Single(doc.RootElement.EnumerateArray()).GetProperty("assistantTokens").GetInt64());
        Assert.NotEqual(0, synthetic.ExitCode);
        Assert.Contains("no single tokens for the ChatML markers", synthetic.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EvalLoss_PackageWithoutTokenizer_OneLineErrorNamingThePackage()
    {
        var run = CliRun.Invoke("eval", "loss", fixture.Package("llama"), "--threads", "1");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("has no tokenizer", run.Error, StringComparison.Ordinal);
    }

    private static double MeanCrossEntropy(double[][] logits, int[] ids)
    {
        double sum = 0;
        for (int t = 0; t + 1 < ids.Length; t++)
        {
            double max = logits[t].Max();
            sum += max + Math.Log(logits[t].Sum(v => Math.Exp(v - max))) - logits[t][ids[t + 1]];
        }

        return sum / (ids.Length - 1);
    }

    private static string DefaultModel()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(repo.FullName, "models", "edgeinfinite-tiny")))
        {
            repo = repo.Parent ?? throw new DirectoryNotFoundException("models/edgeinfinite-tiny not found above the test assembly");
        }

        return Path.Combine(repo.FullName, "models", "edgeinfinite-tiny");
    }

    private string WriteCorpus(string name, long seed, int samples)
    {
        string path = NewPath(name + ".txt");
        var run = CliRun.Invoke("make-corpus", "-o", path, "--seed", $"{seed}", "--samples", $"{samples}");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return path;
    }

    private string NewPath(string name) => Path.Combine(fixture.Root, Guid.NewGuid().ToString("N") + "-" + name);
}
