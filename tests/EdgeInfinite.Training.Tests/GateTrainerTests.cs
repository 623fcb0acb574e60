using System.Globalization;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;
using static TorchSharp.torch;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Tests;

public sealed class GateTrainerTests(Fixtures fixtures, ITestOutputHelper output) : IClassFixture<Fixtures>
{
    /// <summary>
    /// The fixture is a random model, so memory cannot carry much that generalises; trained on one fixed batch the gates
    /// must still lower that batch's loss, which checks the gradients through the long route and the optimizer.
    /// </summary>
    [Fact]
    public void Train_LlamaFixtureFixedBatch_LossFallsAndEngineRunsTheNewPackage()
    {
        string source = fixtures.Package("llama");
        string target = Path.Combine(fixtures.Root, "trained-" + Guid.NewGuid().ToString("N"));
        var sourceFiles = Snapshot(source);
        var reports = new List<TrainingProgress>();
        var options = new GateTrainingOptions { Steps = 40, BatchSize = 4, Seed = 7, Threads = 1, Data = new FixedBatchData(new RepeatedSpanData(384, seed: 7), 0) };

        var result = new GateTrainer(options).Train(source, target, new InlineProgress<TrainingProgress>(reports.Add));

        var losses = result.Losses;
        output.WriteLine($"steps {losses.Count}, mean step {result.MeanStepTime.TotalMilliseconds:F0} ms, {result.TrainableParameters} trainable values");
        output.WriteLine("loss: " + string.Join(" ", losses.Select(l => l.ToString("F4", CultureInfo.InvariantCulture))));
        output.WriteLine($"held-out loss: memory off {result.HeldOutLossMemoryOff:F5}, before {result.HeldOutLossBefore:F5}, after {result.HeldOutLossAfter:F5}");
        Assert.Equal(40, losses.Count);
        double first = losses.Take(3).Average(), last = losses.TakeLast(3).Average();
        Assert.True(last < first - 0.01, $"training loss went from {first:F4} to {last:F4}");
        Assert.Equal(Enumerable.Range(1, 40), reports.Select(r => r.Step));
        Assert.Equal(TimeSpan.Zero, reports[^1].Eta);

        // The source package is untouched; the new one has different, trained gates.
        Assert.Equal(sourceFiles, Snapshot(source));
        var before = PackageWeightsReader.Read(source);
        var after = PackageWeightsReader.Read(target);
        Assert.True(after.Config.LongRoute.GatesTrained);
        Assert.NotEqual(before.Config.Revision, after.Config.Revision);
        Assert.NotEqual(before.GateBiases, after.GateBiases);
        Assert.NotEqual(before.GateWeights, after.GateWeights);

        // The engine runs it, with the gates on, and agrees with the trained TorchSharp model.
        var ids = new RepeatedSpanData(after.Config.Architecture.VocabSize, seed: 99).Batch(0, 1, 4 + 8 * 16)[0];
        using var model = EdgeInfiniteModel.Load(target);
        using var state = model.CreateState(Route.Long, 0);
        var engine = state.AppendAllLogits(ids);
        Assert.All(engine, v => Assert.True(float.IsFinite(v)));
        var torchLogits = TorchLogits(after, ids);
        double scale = torchLogits.Max(v => Math.Abs((double)v));
        double error = engine.Zip(torchLogits).Max(p => Math.Abs((double)p.First - p.Second)) / scale;
        output.WriteLine($"engine vs torch on the trained package: max relative logit error {error:E2}");
        Assert.True(error <= 1e-4, $"max relative error {error:E2}");
    }

    [Fact]
    public void Train_StoppedAndResumedFromCheckpoint_EqualsUninterruptedRun()
    {
        string source = fixtures.Package("llama");
        string checkpoint = Path.Combine(fixtures.Root, "resume-" + Guid.NewGuid().ToString("N") + ".ckpt");
        GateTrainingOptions Options(int steps, string? path) => new() { Steps = steps, BatchSize = 2, Seed = 3, Threads = 1, EvaluationSequences = 0, CheckpointPath = path, Resume = path is not null };

        var straight = new GateTrainer(Options(6, null)).Train(source, NewTarget());
        var firstHalf = new GateTrainer(Options(3, checkpoint)).Train(source, NewTarget());
        var resumed = new GateTrainer(Options(6, checkpoint)).Train(source, NewTarget());

        Assert.Equal(0, firstHalf.StartStep);
        Assert.Equal(3, resumed.StartStep);
        Assert.Equal(straight.Losses, resumed.Losses);
        var a = PackageWeightsReader.Read(straight.OutputPackage);
        var b = PackageWeightsReader.Read(resumed.OutputPackage);
        Assert.Equal(a.GateWeights, b.GateWeights);
        Assert.Equal(a.GateBiases, b.GateBiases);
    }

    [Fact]
    public void Train_CheckpointOfAnotherSeed_ThrowsNamingTheSeed()
    {
        string source = fixtures.Package("llama");
        string checkpoint = Path.Combine(fixtures.Root, "seed-" + Guid.NewGuid().ToString("N") + ".ckpt");
        new GateTrainer(new GateTrainingOptions { Steps = 1, BatchSize = 1, Seed = 1, Threads = 1, EvaluationSequences = 0, CheckpointPath = checkpoint }).Train(source, NewTarget());
        string target = NewTarget();

        var ex = Assert.Throws<InvalidDataException>(() =>
            new GateTrainer(new GateTrainingOptions { Steps = 2, BatchSize = 1, Seed = 2, Threads = 1, EvaluationSequences = 0, CheckpointPath = checkpoint, Resume = true }).Train(source, target));

        Assert.Contains("seed 1", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void Train_OutputFolderExists_ThrowsBeforeTraining()
    {
        string source = fixtures.Package("llama");
        string target = NewTarget();
        Directory.CreateDirectory(target);
        var reports = new List<TrainingProgress>();

        var ex = Assert.Throws<IOException>(() => new GateTrainer(new GateTrainingOptions { Steps = 5 }).Train(source, target, new InlineProgress<TrainingProgress>(reports.Add)));

        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        Assert.Empty(reports);
    }

    [Fact]
    public void GateTrainer_SequencesTooShortForMemory_ThrowsNamingTheMinimum()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => GateTrainer.SequenceShape(Fixtures.Settings, 3));

        Assert.Contains("at least 4 segments", ex.Message, StringComparison.Ordinal);
        Assert.Equal((8, 4 + 8 * 16), GateTrainer.SequenceShape(Fixtures.Settings, null));
    }

    [Fact]
    public void Train_Cancelled_WritesACheckpointToResumeFrom()
    {
        string source = fixtures.Package("llama");
        string checkpoint = Path.Combine(fixtures.Root, "cancel-" + Guid.NewGuid().ToString("N") + ".ckpt");
        using var cts = new CancellationTokenSource();
        var options = new GateTrainingOptions { Steps = 50, BatchSize = 1, Threads = 1, EvaluationSequences = 0, CheckpointPath = checkpoint, CheckpointEvery = 0, Resume = true };
        string target = NewTarget();

        Assert.ThrowsAny<OperationCanceledException>(() => new GateTrainer(options).Train(source, target, new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Step == 2)
            {
                cts.Cancel();
            }
        }), cts.Token));
        Assert.False(Directory.Exists(target));
        var resumeOptions = options.Clone();
        resumeOptions.Steps = 3;
        var resumed = new GateTrainer(resumeOptions).Train(source, target);

        Assert.Equal(2, resumed.StartStep);
        Assert.Equal(3, resumed.Losses.Count);
    }

    private string NewTarget() => Path.Combine(fixtures.Root, "out-" + Guid.NewGuid().ToString("N"));

    private static float[] TorchLogits(PackageWeights weights, int[] ids)
    {
        using var transformer = new GatedTransformer(weights.Weights, weights.GateWeights, weights.GateBiases);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        return transformer.ForwardLong(input, weights.Config.LongRoute).Logits!.contiguous().data<float>().ToArray();
    }

    private static Dictionary<string, string> Snapshot(string dir) =>
        Directory.EnumerateFiles(dir).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))));
}
