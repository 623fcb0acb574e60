using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Tests;

public sealed class BasePretrainerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly BaseModelShape Shape = new() { VocabSize = 64, HiddenSize = 64, Layers = 2, Heads = 2, KvHeads = 1, IntermediateSize = 96, MaxPositions = 256 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ei-pretrain-" + Guid.NewGuid().ToString("N"));

    /// <summary>A stream with structure (a token depends on the one before), so a few steps must lower the loss.</summary>
    private static TokenStreamData Data() => new(StreamIds, seed: 3);

    private static readonly int[] StreamIds = Enumerable.Range(0, 6000).Select(i => ((i * 7) + (i / 5)) % 64).ToArray();

    /// <summary>Weight 1 at every 40th token and 0 elsewhere: each 48-target row scores at least one position.</summary>
    private static TokenStreamData SparseWeightData() => new(StreamIds, seed: 3, weights: StreamIds.Select((_, i) => i % 40 == 17 ? 1f : 0f).ToArray());

    private PretrainOptions Options(int steps, string checkpoint, bool resume = false, ITrainingData? data = null) => new()
    {
        Shape = Shape,
        Data = data ?? Data(),
        DataDescription = "test stream",
        Steps = steps,
        SequenceLength = 48,
        BatchSize = 4,
        LearningRate = 1e-2,
        WarmupSteps = 2,
        Seed = 5,
        CheckpointPath = checkpoint,
        Resume = resume,
        Threads = 1,
    };

    [Fact]
    public void Train_StructuredStream_HeldOutLossFallsAndProgressReportsEveryStep()
    {
        var reports = new List<TrainingProgress>();

        var result = new BasePretrainer(Options(30, Path.Combine(_root, "a.ckpt"))).Train(new InlineProgress<TrainingProgress>(reports.Add));

        output.WriteLine($"held-out {result.HeldOutLossBefore:F4} -> {result.HeldOutLossAfter:F4}, {result.MeanStepTime.TotalMilliseconds:F0} ms/step");
        Assert.Equal(30, result.Losses.Count);
        Assert.True(result.Completed);
        Assert.True(result.HeldOutLossBefore > Math.Log(64) - 0.5, $"random init loss {result.HeldOutLossBefore:F4}");
        Assert.True(result.HeldOutLossAfter < result.HeldOutLossBefore - 1.0, $"held-out loss {result.HeldOutLossBefore:F4} -> {result.HeldOutLossAfter:F4}");
        Assert.Equal(Enumerable.Range(1, 30), reports.Select(r => r.Step));
    }

    [Fact]
    public void Train_WeightedData_FirstLossIsWeightedCrossEntropyAndHeldOutLossUnweighted()
    {
        string initial = Path.Combine(_root, "init.ckpt");
        var plain = new BasePretrainer(Options(0, initial)).Train();
        var data = SparseWeightData();

        var weighted = new BasePretrainer(Options(1, Path.Combine(_root, "w.ckpt"), data: data)).Train();

        // The loss of step 1 is taken before its update, so the initial weights give it.
        var rows = data.Batch(0, 4, 49);
        var weights = data.Weights(0, 4, 49)!;
        double sum = 0, total = 0;
        for (int r = 0; r < rows.Length; r++)
        {
            var logits = BasePretrainer.Logits(initial, Shape, rows[r][..48]);
            for (int t = 1; t < 49; t++)
            {
                if (weights[r][t] == 0)
                {
                    continue;
                }

                var row = logits.AsSpan((t - 1) * 64, 64).ToArray().Select(v => (double)v).ToArray();
                double max = row.Max(), logSum = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
                sum += weights[r][t] * (logSum - row[rows[r][t]]);
                total += weights[r][t];
            }
        }

        Assert.True(total > 0);
        Assert.Equal(sum / total, weighted.Losses[0], 4);
        Assert.Equal(plain.HeldOutLossBefore, weighted.HeldOutLossBefore, 6);
    }

    [Fact]
    public void Train_ResumedFromCheckpoint_MatchesUninterruptedRun()
    {
        string whole = Path.Combine(_root, "whole.ckpt"), split = Path.Combine(_root, "split.ckpt");
        var uninterrupted = new BasePretrainer(Options(6, whole)).Train();

        using (var cts = new CancellationTokenSource())
        {
            int seen = 0;
            Assert.ThrowsAny<OperationCanceledException>(() => new BasePretrainer(Options(6, split)).Train(new InlineProgress<TrainingProgress>(_ =>
            {
                if (++seen == 3)
                {
                    cts.Cancel();
                }
            }), cts.Token));
        }

        var resumed = new BasePretrainer(Options(6, split, resume: true)).Train();

        Assert.Equal(3, resumed.StartStep);
        Assert.Equal(uninterrupted.Losses, resumed.Losses);
        Assert.Equal(uninterrupted.HeldOutLossAfter, resumed.HeldOutLossAfter, 6);
    }

    [Fact]
    public void ExportCheckpoint_ConvertedPackage_EngineShortRouteMatchesTorchWithin1e4Relative()
    {
        string checkpoint = Path.Combine(_root, "b.ckpt");
        new BasePretrainer(Options(5, checkpoint)).Train();
        string hf = Path.Combine(_root, "hf"), package = Path.Combine(_root, "package");

        BasePretrainer.ExportCheckpoint(checkpoint, Shape, hf, tokenizerDirectory: null, eosTokenIds: [1]);
        var config = new PackageBuilder().Convert(hf, package, new ConversionOptions { LongRoute = new LongRouteSettings { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 128 } });

        Assert.Equal(ModelFamily.Llama, config.Architecture.Family);
        Assert.True(config.Architecture.TieWordEmbeddings);
        var ids = Enumerable.Range(0, 40).Select(i => ((i * 11) + 3) % 64).ToArray();
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, ids.Length);
        var engine = state.AppendAllLogits(ids);
        var torch = BasePretrainer.Logits(checkpoint, Shape, ids);
        Assert.Equal(engine.Length, torch.Length);
        double scale = engine.Max(v => Math.Abs((double)v)), max = 0;
        for (int i = 0; i < engine.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)engine[i] - torch[i]));
        }

        output.WriteLine($"max relative logit error {max / scale:E2}");
        Assert.True(max / scale <= 1e-4, $"max relative error {max / scale:E2}");
    }

    [Fact]
    public void Train_InitialWeightsFromAnotherRunsPackage_StartsWhereThatRunEnded()
    {
        string first = Path.Combine(_root, "first.ckpt"), package = PackageOf(first, steps: 5);
        var ended = new BasePretrainer(Options(5, first, resume: true)).Train();
        var initial = InitialBaseWeights.FromPackage(package);

        // Another seed: without the initial weights the run would start from other random weights.
        var options = Options(0, Path.Combine(_root, "second.ckpt"));
        options.Seed = 99;
        options.InitialWeights = initial;
        var started = new BasePretrainer(options).Train();

        output.WriteLine($"first run ended at held-out {ended.HeldOutLossAfter:F6}; second starts at {started.HeldOutLossBefore:F6}");
        Assert.Equal(Shape.Fingerprint, initial.Shape.Fingerprint);
        Assert.Equal(ended.HeldOutLossAfter, started.HeldOutLossBefore, 5);
        Assert.Contains("sha256 ", initial.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_ResumeWithOtherInitialWeights_ThrowsNamingTheCheckpoint()
    {
        string source = Path.Combine(_root, "source.ckpt"), package = PackageOf(source, steps: 2);
        string checkpoint = Path.Combine(_root, "continued.ckpt");
        var options = Options(4, checkpoint);
        options.InitialWeights = InitialBaseWeights.FromPackage(package);
        options.TimeLimit = TimeSpan.Zero;
        new BasePretrainer(options).Train();

        // The same run resumed without its initial weights is another run.
        var ex = Assert.Throws<InvalidDataException>(() => new BasePretrainer(Options(4, checkpoint, resume: true)).Train());

        Assert.Contains(checkpoint, ex.Message, StringComparison.Ordinal);
        Assert.Contains("init package", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InitialWeightsOfAnotherShape_ThrowsNamingBothShapes()
    {
        string source = Path.Combine(_root, "shape.ckpt"), package = PackageOf(source, steps: 1);
        var options = Options(1, Path.Combine(_root, "other.ckpt"));
        options.Shape = Shape with { IntermediateSize = 128 };
        options.InitialWeights = InitialBaseWeights.FromPackage(package);

        var ex = Assert.Throws<ArgumentException>(() => new BasePretrainer(options));

        Assert.Contains(Shape.Fingerprint, ex.Message, StringComparison.Ordinal);
        Assert.Contains(options.Shape.Fingerprint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InitialBaseWeights_Qwen2Package_ThrowsNamingTheConfigAndField()
    {
        string package = Path.Combine(_root, "qwen2");
        new PackageBuilder().Convert(Fixtures.CheckpointDir("qwen2"), package, new ConversionOptions { LongRoute = Fixtures.Settings });

        var ex = Assert.Throws<InvalidDataException>(() => InitialBaseWeights.FromPackage(package));

        Assert.Contains(Path.Combine(package, PackageConfig.FileName), ex.Message, StringComparison.Ordinal);
        Assert.Contains("architecture.", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>Trains <paramref name="steps"/> steps into <paramref name="checkpoint"/> and converts the result into a package.</summary>
    private string PackageOf(string checkpoint, int steps)
    {
        new BasePretrainer(Options(steps, checkpoint)).Train();
        string hf = checkpoint + ".hf", package = checkpoint + ".package";
        BasePretrainer.ExportCheckpoint(checkpoint, Shape, hf, tokenizerDirectory: null, eosTokenIds: [1]);
        new PackageBuilder().Convert(hf, package, new ConversionOptions { LongRoute = new LongRouteSettings { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 128 } });
        return package;
    }

    [Fact]
    public void ExportCheckpoint_OtherShape_ThrowsNamingTheCheckpoint()
    {
        string checkpoint = Path.Combine(_root, "c.ckpt");
        new BasePretrainer(Options(1, checkpoint)).Train();

        var ex = Assert.Throws<InvalidDataException>(() => BasePretrainer.ExportCheckpoint(checkpoint, Shape with { Layers = 3 }, Path.Combine(_root, "x"), null, [1]));

        Assert.Contains(checkpoint, ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
