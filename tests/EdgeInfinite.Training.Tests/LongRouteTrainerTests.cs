using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Tests;

public sealed class LongRouteTrainerTests(ITestOutputHelper output) : IDisposable
{
    private static readonly BaseModelShape Shape = new() { VocabSize = 64, HiddenSize = 64, Layers = 2, Heads = 2, KvHeads = 1, IntermediateSize = 96, MaxPositions = 256 };
    private static readonly LongRouteSettings Route = new() { SinkTokens = 2, WindowTokens = 16, SegmentTokens = 8, RouteThreshold = 32 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ei-longroute-" + Guid.NewGuid().ToString("N"));

    private string BaseCheckpoint()
    {
        string path = Path.Combine(_root, "base.ckpt");
        var stream = Enumerable.Range(0, 6000).Select(i => ((i * 7) + (i / 5)) % 64).ToArray();
        new BasePretrainer(new PretrainOptions
        {
            Shape = Shape,
            Data = new TokenStreamData(stream, seed: 3),
            DataDescription = "test stream",
            Steps = 4,
            SequenceLength = 32,
            BatchSize = 2,
            LearningRate = 1e-2,
            WarmupSteps = 1,
            Seed = 5,
            CheckpointPath = path,
            Threads = 1,
        }).Train();
        return path;
    }

    private LongRouteTrainingOptions Options(int steps, string checkpoint, bool resume = false, int carry = 0) => new()
    {
        Shape = Shape,
        LongRoute = Route,

        // Spans repeated beyond the window: only memory can predict the repeat.
        LongData = new RepeatedSpanData(Shape.VocabSize, seed: 9),
        ShortData = new TokenStreamData(Enumerable.Range(0, 4000).Select(i => (i * 5) % 64).ToArray(), seed: 4),
        DataDescription = "repeated spans",
        Steps = steps,
        Segments = 10,
        BatchSize = 4,
        ShortSequenceLength = 24,
        ShortBatchSize = 2,
        LearningRate = 3e-3,
        GateLearningRate = 3e-2,
        WarmupSteps = 2,
        Seed = 5,
        CheckpointPath = checkpoint,
        Resume = resume,
        EvaluationSequences = 4,
        Threads = 1,
        CarryMemorySteps = carry,
    };

    [Fact]
    public void Train_RepeatedSpansBeyondWindow_MemoryOnHeldOutLossFallsBelowMemoryOff()
    {
        string basePath = BaseCheckpoint();
        var reports = new List<TrainingProgress>();

        var result = new LongRouteTrainer(Options(300, Path.Combine(_root, "long.ckpt"))).Train(basePath, new InlineProgress<TrainingProgress>(reports.Add));

        output.WriteLine($"memory on {result.HeldOutLossBefore:F4} -> {result.HeldOutLossAfter:F4}, memory off {result.HeldOutLossMemoryOffBefore:F4} -> {result.HeldOutLossMemoryOffAfter:F4}, {result.MeanStepTime.TotalMilliseconds:F0} ms/step");
        Assert.True(result.Completed);
        Assert.Equal(Enumerable.Range(1, 300), reports.Select(r => r.Step));

        // Half of the scored tokens are random (unpredictable); the repeats 41 tokens back lie beyond S + W + L = 26.
        Assert.True(result.HeldOutLossAfter < result.HeldOutLossBefore - 0.05, $"memory-on loss {result.HeldOutLossBefore:F4} -> {result.HeldOutLossAfter:F4}");
        Assert.True(result.HeldOutLossAfter < result.HeldOutLossMemoryOffAfter - 0.05, $"memory on {result.HeldOutLossAfter:F4} vs off {result.HeldOutLossMemoryOffAfter:F4}");
        Assert.Equal(Shape.Layers * ((Shape.HiddenSize * Shape.Heads) + Shape.Heads), result.GateParameters);
    }

    [Fact]
    public void Train_ResumedFromCheckpoint_MatchesUninterruptedRun()
    {
        string basePath = BaseCheckpoint();
        string whole = Path.Combine(_root, "whole.ckpt"), split = Path.Combine(_root, "split.ckpt");
        var uninterrupted = new LongRouteTrainer(Options(4, whole)).Train(basePath);
        using (var cts = new CancellationTokenSource())
        {
            int seen = 0;
            Assert.ThrowsAny<OperationCanceledException>(() => new LongRouteTrainer(Options(4, split)).Train(basePath, new InlineProgress<TrainingProgress>(_ =>
            {
                if (++seen == 2)
                {
                    cts.Cancel();
                }
            }), cts.Token));
        }

        var resumed = new LongRouteTrainer(Options(4, split, resume: true)).Train(basePath);

        Assert.Equal(2, resumed.StartStep);
        Assert.Equal(uninterrupted.Losses, resumed.Losses);
        Assert.Equal(uninterrupted.HeldOutLossAfter, resumed.HeldOutLossAfter, 6);
    }

    [Fact]
    public void Train_CarriedMemoryResumedFromCheckpoint_MatchesUninterruptedRun()
    {
        string basePath = BaseCheckpoint();
        string whole = Path.Combine(_root, "carry-whole.ckpt"), split = Path.Combine(_root, "carry-split.ckpt"), fresh = Path.Combine(_root, "fresh.ckpt");
        var uninterrupted = new LongRouteTrainer(Options(6, whole, carry: 4)).Train(basePath);
        var noCarry = new LongRouteTrainer(Options(6, fresh)).Train(basePath);
        using (var cts = new CancellationTokenSource())
        {
            int seen = 0;
            Assert.ThrowsAny<OperationCanceledException>(() => new LongRouteTrainer(Options(6, split, carry: 4)).Train(basePath, new InlineProgress<TrainingProgress>(_ =>
            {
                if (++seen == 3)
                {
                    cts.Cancel();
                }
            }), cts.Token));
        }

        var resumed = new LongRouteTrainer(Options(6, split, resume: true, carry: 4)).Train(basePath);

        output.WriteLine($"losses carried {string.Join(", ", uninterrupted.Losses.Select(l => l.ToString("F4")))}; fresh {string.Join(", ", noCarry.Losses.Select(l => l.ToString("F4")))}");
        Assert.Equal(3, resumed.StartStep);
        Assert.Equal(uninterrupted.Losses, resumed.Losses);
        Assert.Equal(uninterrupted.HeldOutLossAfter, resumed.HeldOutLossAfter, 6);

        // Step 1 starts every row empty, so it equals a run without carrying; from step 2 the rows read earlier memory.
        Assert.Equal(noCarry.Losses[0], uninterrupted.Losses[0]);
        Assert.NotEqual(noCarry.Losses[1], uninterrupted.Losses[1]);
        var error = Assert.Throws<InvalidDataException>(() => new LongRouteTrainer(Options(6, split, resume: true)).Train(basePath));
        Assert.Contains("carry 4", error.Message);
    }

    [Fact]
    public void ForwardLong_SharedTrainableBase_GradientReachesKeysOfTheFirstChunks()
    {
        // Tokens 0..25 run before the first eviction; their keys go to memory and are read by every later chunk, so
        // the gradient of k_proj must include them. Checked against a central finite difference along a random direction.
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var llama = new TrainableLlama(Shape, seed: 5, maxTokens: 32);
        var gateW = Enumerable.Range(0, Shape.Layers).Select(_ => TensorFactory.Trainable(new float[Shape.HiddenSize * Shape.Heads], TorchSharp.torch.ScalarType.Float32, Shape.HiddenSize, Shape.Heads)).ToArray();
        var gateB = Enumerable.Range(0, Shape.Layers).Select(_ => TensorFactory.Trainable([0.5f, 0.5f], TorchSharp.torch.ScalarType.Float32, Shape.Heads)).ToArray();
        using var model = new GatedTransformer(llama, gateW, gateB);
        var ids = TensorFactory.Ids(new RepeatedSpanData(Shape.VocabSize, seed: 2).Batch(0, 2, 58));
        var keyProjection = llama.Parameters[3];
        using (TorchSharp.torch.no_grad())
        {
            // Sharper attention and memory reads than at random init, so the keys matter well above float32 noise.
            llama.Parameters[2].mul_(10);
            keyProjection.mul_(10);
        }

        var direction = TorchSharp.torch.randn(keyProjection.shape, generator: new TorchSharp.torch.Generator(7));
        direction /= direction.norm();
        var options = new LongRouteOptions { Targets = ids, ReturnLogits = false };
        double Loss() => model.ForwardLong(ids, Route, options).Loss!.to_type(TorchSharp.torch.ScalarType.Float64).item<double>();

        model.ForwardLong(ids, Route, options).Loss!.backward();
        double analytic = (keyProjection.grad! * direction).sum().to_type(TorchSharp.torch.ScalarType.Float64).item<double>();
        const double step = 0.2;
        double numeric;
        using (TorchSharp.torch.no_grad())
        {
            keyProjection.add_(direction * step);
            double plus = Loss();
            keyProjection.add_(direction * (-2 * step));
            double minus = Loss();
            keyProjection.add_(direction * step);
            numeric = (plus - minus) / (2 * step);
        }

        output.WriteLine($"directional derivative: autograd {analytic:E4}, finite difference {numeric:E4}");
        Assert.True(Math.Abs(numeric) > 1e-5, $"the loss does not depend on k_proj ({numeric:E3})");
        Assert.InRange(analytic / numeric, 0.95, 1.05);
    }

    [Fact]
    public void ReadGates_ExportedPackage_EngineLongRouteUsesTrainedGates()
    {
        string basePath = BaseCheckpoint(), checkpoint = Path.Combine(_root, "long.ckpt");
        new LongRouteTrainer(Options(3, checkpoint)).Train(basePath);
        string hf = Path.Combine(_root, "hf"), plain = Path.Combine(_root, "plain"), gated = Path.Combine(_root, "gated");

        BasePretrainer.ExportCheckpoint(checkpoint, Shape, hf, tokenizerDirectory: null, eosTokenIds: [1]);
        new PackageBuilder().Convert(hf, plain, new ConversionOptions { LongRoute = Route });
        var (w, b) = LongRouteTrainer.ReadGates(checkpoint, Shape);
        PackageGates.WriteCopy(plain, gated, w, b);

        Assert.Equal(Shape.Layers, w.Length);
        Assert.All(b, layer => Assert.All(layer, v => Assert.InRange(v, -3f, -1f)));
        var ids = new RepeatedSpanData(Shape.VocabSize, seed: 11).Batch(0, 1, 82)[0];
        using var model = EdgeInfiniteModel.Load(gated);
        using var on = model.CreateState(Onnx.Inference.Route.Long, ids.Length);
        using var off = model.CreateState(Onnx.Inference.Route.Long, ids.Length, memoryEnabled: false);
        var withMemory = on.AppendAllLogits(ids);
        var without = off.AppendAllLogits(ids);
        Assert.True(model.Config.LongRoute.GatesTrained);
        Assert.Contains(Enumerable.Range(0, withMemory.Length), i => Math.Abs(withMemory[i] - without[i]) > 1e-3);
    }

    [Fact]
    public void ReadGates_BaseCheckpoint_ThrowsNamingTheCheckpoint()
    {
        string basePath = BaseCheckpoint();

        var ex = Assert.Throws<InvalidDataException>(() => LongRouteTrainer.ReadGates(basePath, Shape));

        Assert.Contains(basePath, ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
