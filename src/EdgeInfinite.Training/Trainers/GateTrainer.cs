using System.Diagnostics;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;
using static TorchSharp.torch;
using EdgeInfinite.Training.Checkpoints;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Optimization;

namespace EdgeInfinite.Training.Trainers;

/// <summary>
/// Fine-tunes the memory gates of a package (everything else frozen) with AdamW on the long route's next-token
/// cross-entropy, then writes the trained gates into a new package folder; the source package is untouched.
/// Runs are resumable from a checkpoint (gates, optimizer state, step, losses), and the data of a step depends only on
/// its number, so a resumed run equals an uninterrupted one.
/// </summary>
public sealed class GateTrainer
{
    /// <summary>The step number whose batch is held out for evaluation (never a training step of a realistic run).</summary>
    public const long HeldOutStep = 1L << 40;

    private readonly GateTrainingOptions _options;

    /// <summary>Initializes a new instance of the <see cref="GateTrainer"/> class.</summary>
    /// <param name="options">The options (copied).</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public GateTrainer(GateTrainingOptions? options = null)
    {
        _options = options?.Clone() ?? new GateTrainingOptions();
        Validate(_options);
    }

    /// <summary>Gets the sequence length a package trains on: <c>S + k·L</c> with k the segments per sequence.</summary>
    /// <param name="settings">The package's long-route settings.</param>
    /// <param name="segments">The segments per sequence, or <see langword="null"/> for the default.</param>
    /// <returns>The segments and the tokens per training sequence.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The sequences would be too short for memory to be read.</exception>
    public static (int Segments, int Tokens) SequenceShape(LongRouteSettings settings, int? segments)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int windowSegments = settings.WindowTokens / settings.SegmentTokens;
        int k = segments ?? 2 * (windowSegments + 2);
        int minimum = windowSegments + 2;
        if (k < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(segments), k,
                $"Training sequences need at least {minimum} segments of {settings.SegmentTokens} tokens (S + W + L = {settings.SinkTokens + settings.WindowTokens + settings.SegmentTokens} tokens must be exceeded) so that memory is read; got {k}.");
        }

        return (k, settings.SinkTokens + k * settings.SegmentTokens);
    }

    /// <summary>Trains the gates of <paramref name="sourcePackage"/> and writes them into <paramref name="outputPackage"/>.</summary>
    /// <param name="sourcePackage">The package to train (read only).</param>
    /// <param name="outputPackage">The new package folder (must not exist).</param>
    /// <param name="progress">Receives the loss and ETA after every step.</param>
    /// <param name="cancellationToken">Stops between steps (after writing a checkpoint when one is configured).</param>
    /// <returns>The loss curve and timings.</returns>
    /// <exception cref="IOException">The output folder already exists.</exception>
    /// <exception cref="InvalidDataException">The checkpoint does not belong to this package or these options.</exception>
    public GateTrainingResult Train(string sourcePackage, string outputPackage, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePackage);
        ArgumentException.ThrowIfNullOrEmpty(outputPackage);
        if (Directory.Exists(outputPackage) || File.Exists(outputPackage))
        {
            throw new IOException($"Output '{Path.GetFullPath(outputPackage)}' already exists; choose a new folder (the trained gates go into a copy of the package).");
        }

        var package = PackageWeightsReader.Read(sourcePackage);
        var a = package.Config.Architecture;
        var settings = package.Config.LongRoute;
        var (segments, length) = SequenceShape(settings, _options.SegmentsPerSequence);
        var data = _options.Data ?? new RepeatedSpanData(a.VocabSize, _options.Seed, firstId: Math.Min(3, a.VocabSize - 1));

        // Untrained gates sit at bias −30 where the sigmoid has no gradient: start them from InitialGateBias instead.
        var (gateW, gateB) = settings.GatesTrained
            ? (package.GateWeights, package.GateBiases)
            : (Enumerable.Range(0, a.NumLayers).Select(_ => new float[a.HiddenSize * a.NumHeads]).ToArray(),
               Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Repeat(_options.InitialGateBias, a.NumHeads).ToArray()).ToArray());
        using var model = new GatedTransformer(package.Weights, gateW, gateB);
        using var optimizer = new GateAdamW(model.TrainableParameters, _options);
        var losses = new List<double>();
        int start = 0;
        if (_options.Resume && _options.CheckpointPath is { } resumeFrom && File.Exists(resumeFrom))
        {
            var checkpoint = GateCheckpoint.Load(resumeFrom);
            CheckMatches(checkpoint, package.Config, segments, resumeFrom);
            if (checkpoint.Step > _options.Steps)
            {
                throw new ArgumentOutOfRangeException(nameof(sourcePackage), _options.Steps, $"Checkpoint '{resumeFrom}' is already at step {checkpoint.Step}, past the {_options.Steps} steps asked for.");
            }

            model.LoadGates(checkpoint.Parameters.Take(a.NumLayers).ToArray(), checkpoint.Parameters.Skip(a.NumLayers).ToArray());
            optimizer.Restore(checkpoint.AdamSteps, checkpoint.FirstMoments, checkpoint.SecondMoments);
            losses.AddRange(checkpoint.Losses);
            start = checkpoint.Step;
        }

        if (_options.Threads is { } threads)
        {
            set_num_threads(threads);
        }

        var heldOut = _options.EvaluationSequences > 0 ? CheckedBatch(data, HeldOutStep, _options.EvaluationSequences, length, a.VocabSize) : null;
        double memoryOff = Evaluate(model, heldOut, settings, memory: false);
        double before = Evaluate(model, heldOut, settings, memory: true);
        var clock = Stopwatch.StartNew();
        for (int step = start; step < _options.Steps; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint(model, optimizer, package.Config, segments, step, losses);
                cancellationToken.ThrowIfCancellationRequested();
            }

            double loss = TrainStep(model, optimizer, CheckedBatch(data, step, _options.BatchSize, length, a.VocabSize), settings);
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException($"The loss became {loss} at step {step + 1}; try a smaller learning rate.");
            }

            losses.Add(loss);
            int done = step + 1 - start;
            var elapsed = clock.Elapsed;
            progress?.Report(new TrainingProgress(step + 1, _options.Steps, loss, elapsed, elapsed / done * (_options.Steps - step - 1)));
            if (_options.CheckpointEvery > 0 && (step + 1) % _options.CheckpointEvery == 0 && step + 1 < _options.Steps)
            {
                SaveCheckpoint(model, optimizer, package.Config, segments, step + 1, losses);
            }
        }

        var trainingTime = clock.Elapsed;
        SaveCheckpoint(model, optimizer, package.Config, segments, _options.Steps, losses);
        double after = Evaluate(model, heldOut, settings, memory: true);
        var (trainedW, trainedB) = model.ExportGates();
        PackageGates.WriteCopy(sourcePackage, outputPackage, trainedW, trainedB);
        int ran = _options.Steps - start;
        return new GateTrainingResult
        {
            OutputPackage = Path.GetFullPath(outputPackage),
            Losses = losses,
            StartStep = start,
            MeanStepTime = ran > 0 ? trainingTime / ran : TimeSpan.Zero,
            TrainableParameters = model.TrainableCount,
            HeldOutLossMemoryOff = memoryOff,
            HeldOutLossBefore = before,
            HeldOutLossAfter = after,
        };
    }

    private static void Validate(GateTrainingOptions o)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(o.Steps, nameof(o.Steps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(o.BatchSize, nameof(o.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(o.DetachEverySegments, nameof(o.DetachEverySegments));
        ArgumentOutOfRangeException.ThrowIfNegative(o.CheckpointEvery, nameof(o.CheckpointEvery));
        ArgumentOutOfRangeException.ThrowIfNegative(o.EvaluationSequences, nameof(o.EvaluationSequences));
        if (o.Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(o.Threads), o.Threads, "Threads must be at least 1.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(o.WeightDecay, nameof(o.WeightDecay));
        if (!(o.LearningRate > 0) || !double.IsFinite(o.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(o.LearningRate), o.LearningRate, "The learning rate must be a positive number.");
        }

        if (o.Beta1 is < 0 or >= 1 || o.Beta2 is < 0 or >= 1 || !(o.AdamEpsilon > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(o.Beta1), "AdamW needs 0 ≤ β₁, β₂ < 1 and ε > 0.");
        }

        if (o.Resume && o.CheckpointPath is null)
        {
            throw new ArgumentException("Resume needs a checkpoint path.", nameof(o.Resume));
        }
    }

    private static int[][] CheckedBatch(ITrainingData data, long step, int batchSize, int length, int vocab)
    {
        var batch = data.Batch(step, batchSize, length);
        if (batch.Length != batchSize || batch.Any(row => row.Length != length))
        {
            throw new InvalidDataException($"The training data returned a batch of the wrong shape at step {step} (expected {batchSize} × {length}).");
        }

        foreach (var row in batch)
        {
            foreach (int id in row)
            {
                if ((uint)id >= (uint)vocab)
                {
                    throw new InvalidDataException($"The training data has token id {id}, outside the package's vocabulary (0..{vocab - 1}).");
                }
            }
        }

        return batch;
    }

    private static double Evaluate(GatedTransformer model, int[][]? batch, LongRouteSettings settings, bool memory)
    {
        if (batch is null)
        {
            return double.NaN;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = TensorFactory.Ids(batch);
        var run = model.ForwardLong(ids, settings, new LongRouteOptions { Targets = ids, ReturnLogits = false, MemoryEnabled = memory });
        return run.Loss!.to_type(ScalarType.Float64).item<double>();
    }

    private double TrainStep(GatedTransformer model, GateAdamW optimizer, int[][] batch, LongRouteSettings settings)
    {
        using var scope = NewDisposeScope();
        var ids = TensorFactory.Ids(batch);
        var run = model.ForwardLong(ids, settings, new LongRouteOptions { Targets = ids, ReturnLogits = false, DetachEverySegments = _options.DetachEverySegments, BackwardPerWindow = true });
        var loss = run.Loss ?? throw new InvalidOperationException("No position of the training sequences read memory.");
        optimizer.Step();
        return loss.to_type(ScalarType.Float64).item<double>();
    }

    private void SaveCheckpoint(GatedTransformer model, GateAdamW optimizer, PackageConfig config, int segments, int step, List<double> losses)
    {
        if (_options.CheckpointPath is not { } path)
        {
            return;
        }

        var (w, b) = model.ExportGates();
        new GateCheckpoint
        {
            PackageRevision = config.Revision,
            LearningRate = _options.LearningRate,
            Seed = _options.Seed,
            BatchSize = _options.BatchSize,
            Segments = segments,
            DetachEverySegments = _options.DetachEverySegments,
            Step = step,
            AdamSteps = optimizer.StepCount,
            Losses = [.. losses],
            Parameters = [.. w, .. b],
            FirstMoments = optimizer.FirstMoments.Select(Floats).ToArray(),
            SecondMoments = optimizer.SecondMoments.Select(Floats).ToArray(),
        }.Save(path);
    }

    private void CheckMatches(GateCheckpoint c, PackageConfig config, int segments, string path)
    {
        void Require(bool same, string what, object was, object now) => GateCheckpoint.RequireSame(path, same, what, was, now);

        Require(c.PackageRevision == config.Revision, "package revision", c.PackageRevision, config.Revision);
        Require(c.LearningRate == _options.LearningRate, "learning rate", c.LearningRate, _options.LearningRate);
        Require(c.Seed == _options.Seed, "seed", c.Seed, _options.Seed);
        Require(c.BatchSize == _options.BatchSize, "batch size", c.BatchSize, _options.BatchSize);
        Require(c.Segments == segments, "segments per sequence", c.Segments, segments);
        Require(c.DetachEverySegments == _options.DetachEverySegments, "detach-every", c.DetachEverySegments, _options.DetachEverySegments);
        var a = config.Architecture;
        Require(c.Parameters.Length == 2 * a.NumLayers && c.Parameters[0].Length == a.HiddenSize * a.NumHeads, "gate shapes for", $"{c.Parameters.Length / 2} layers", $"{a.NumLayers} layers");
    }

    private static float[] Floats(Tensor t)
    {
        using var f = t.detach().to_type(ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }
}
