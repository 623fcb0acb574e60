using EdgeInfinite.Onnx.Packaging;
using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using EdgeInfinite.Training.Checkpoints;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Optimization;

namespace EdgeInfinite.Training.Trainers;

/// <summary>
/// Continues training a pretrained base through the long route together with new memory gates (the
/// Infini-attention recipe; the paper's recipe trains the gates alone, see <see cref="GateTrainer"/>).
/// <para>
/// Gates alone cannot make a frozen model's keys fit a linear memory: with ELU + 1 features every stored token adds
/// to every read, so the one fact drowns in thousands of filler tokens. Here the loss of questions asked after the fact
/// left the window back-propagates, without truncation, through the memory read, the memory write and the fact's
/// keys and values, so the base can learn what to store and how to find it. Each step also trains a full-attention
/// batch, so the short route (the same weights) stays trained.
/// </para>
/// The checkpoint holds the base parameters followed by the gates (<c>w</c> per layer, then <c>b</c> per layer);
/// <see cref="BasePretrainer.ExportCheckpoint"/> writes its base, <see cref="ReadGates"/> returns its gates.
/// </summary>
public sealed class LongRouteTrainer
{
    private readonly LongRouteTrainingOptions _options;

    /// <summary>Initializes a new instance of the <see cref="LongRouteTrainer"/> class.</summary>
    /// <param name="options">The options.</param>
    public LongRouteTrainer(LongRouteTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Shape.Validate();
        ArgumentNullException.ThrowIfNull(options.LongRoute);
        ArgumentNullException.ThrowIfNull(options.LongData);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Steps, nameof(options.Steps));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ShortBatchSize, nameof(options.ShortBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShortSequenceLength, 2, nameof(options.ShortSequenceLength));
        ArgumentOutOfRangeException.ThrowIfNegative(options.WarmupSteps, nameof(options.WarmupSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CheckpointEvery, nameof(options.CheckpointEvery));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CarryMemorySteps, nameof(options.CarryMemorySteps));
        if (!(options.LearningRate > 0) || !(options.GateLearningRate > 0) || !double.IsFinite(options.LearningRate) || !double.IsFinite(options.GateLearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The learning rates must be positive numbers.");
        }

        if (options.Resume && options.CheckpointPath is null)
        {
            throw new ArgumentException("Resume needs a checkpoint path.", nameof(options));
        }

        _ = GateTrainer.SequenceShape(options.LongRoute, options.Segments);
        _options = options;
    }

    /// <summary>Gets the tokens per long training sequence: <c>S + segments · L</c>.</summary>
    public int SequenceLength => GateTrainer.SequenceShape(_options.LongRoute, _options.Segments).Tokens;

    /// <summary>Reads the gates of a checkpoint written by <see cref="Train"/>.</summary>
    /// <param name="checkpointPath">The checkpoint.</param>
    /// <param name="shape">The model shape.</param>
    /// <returns>Per layer, <c>w</c> row-major <c>[hidden, heads]</c> and <c>b</c> <c>[heads]</c>.</returns>
    public static (float[][] Weights, float[][] Biases) ReadGates(string checkpointPath, BaseModelShape shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        ArgumentNullException.ThrowIfNull(shape);
        var checkpoint = GateCheckpoint.Load(checkpointPath);
        int baseCount = 2 + (TrainableLlama.PerLayer * shape.Layers);
        if (checkpoint.Parameters.Length != baseCount + (2 * shape.Layers))
        {
            throw new InvalidDataException($"Checkpoint '{checkpointPath}' holds {checkpoint.Parameters.Length} tensors; a long-route checkpoint of this shape holds {baseCount + (2 * shape.Layers)} (base, then gates).");
        }

        return (checkpoint.Parameters.Skip(baseCount).Take(shape.Layers).ToArray(), checkpoint.Parameters.Skip(baseCount + shape.Layers).ToArray());
    }

    /// <summary>Trains (or resumes) from a base checkpoint up to the step count or the time limit, then checkpoints.</summary>
    /// <param name="baseCheckpoint">A checkpoint of <see cref="BasePretrainer"/> with the same shape.</param>
    /// <param name="progress">Receives progress after every step.</param>
    /// <param name="cancellationToken">Checkpoints and stops.</param>
    /// <returns>Losses and timings.</returns>
    public LongRouteTrainingResult Train(string baseCheckpoint, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(baseCheckpoint);
        var o = _options;
        if (o.Threads is { } threads)
        {
            set_num_threads(threads);
        }

        var shape = o.Shape;
        int d = shape.HiddenSize, heads = shape.Heads;
        using var llama = new TrainableLlama(shape, o.Seed, Math.Max(o.ShortSequenceLength, 1));
        var start = 0;
        var losses = new List<double>();
        GateCheckpoint? resumed = o.Resume && o.CheckpointPath is { } path && File.Exists(path) ? GateCheckpoint.Load(path) : null;
        if (resumed is not null)
        {
            CheckMatches(resumed, o.CheckpointPath!);
        }

        var source = resumed ?? GateCheckpoint.Load(baseCheckpoint);
        if (resumed is null && !source.PackageRevision.StartsWith(shape.Fingerprint + "|", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Base checkpoint '{baseCheckpoint}' holds a model '{source.PackageRevision.Split('|')[0]}', not '{shape.Fingerprint}'.");
        }

        llama.Load(source.Parameters.Take(llama.Parameters.Count).ToArray());
        var gateW = new Tensor[shape.Layers];
        var gateB = new Tensor[shape.Layers];
        for (int i = 0; i < shape.Layers; i++)
        {
            gateW[i] = TensorFactory.Trainable(resumed?.Parameters[llama.Parameters.Count + i] ?? new float[d * heads], ScalarType.Float32, d, heads);
            gateB[i] = TensorFactory.Trainable(resumed?.Parameters[llama.Parameters.Count + shape.Layers + i] ?? Enumerable.Repeat(o.InitialGateBias, heads).ToArray(), ScalarType.Float32, heads);
        }

        using var model = new GatedTransformer(llama, gateW, gateB);
        using var baseOptimizer = new GateAdamW(llama.Parameters, new GateTrainingOptions { LearningRate = o.LearningRate });
        using var gateOptimizer = new GateAdamW(model.TrainableParameters, new GateTrainingOptions { LearningRate = o.GateLearningRate });
        LongRouteMemory? carried = o.CarryMemorySteps == 0 ? null
            : resumed is { State.Length: > 0 } ? CarriedFromState(resumed.State)
            : LongRouteMemory.Empty(shape.Layers, o.BatchSize, shape.KvHeads, shape.HeadDim, ScalarType.Float32);
        try
        {
            if (resumed is not null)
            {
                int n = llama.Parameters.Count;
                baseOptimizer.Restore(resumed.AdamSteps, resumed.FirstMoments.Take(n).ToArray(), resumed.SecondMoments.Take(n).ToArray());
                gateOptimizer.Restore(resumed.AdamSteps, resumed.FirstMoments.Skip(n).ToArray(), resumed.SecondMoments.Skip(n).ToArray());
                losses.AddRange(resumed.Losses);
                start = resumed.Step;
            }

            int length = SequenceLength;
            var heldOut = o.EvaluationSequences > 0 ? o.LongData.Batch(GateTrainer.HeldOutStep, o.EvaluationSequences, length) : null;
            double offBefore = Evaluate(model, heldOut, memory: false), before = Evaluate(model, heldOut, memory: true);
            var clock = Stopwatch.StartNew();
            int step = start;
            for (; step < o.Steps; step++)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Save(llama, gateW, gateB, baseOptimizer, gateOptimizer, step, losses, carried);
                    cancellationToken.ThrowIfCancellationRequested();
                }

                if (o.TimeLimit is { } limit && clock.Elapsed >= limit)
                {
                    break;
                }

                double loss = TrainStep(llama, model, baseOptimizer, gateOptimizer, step, length, ref carried);
                if (!double.IsFinite(loss))
                {
                    throw new InvalidOperationException($"The long-route loss became {loss} at step {step + 1}; try a smaller learning rate.");
                }

                losses.Add(loss);
                int done = step + 1 - start;
                var elapsed = clock.Elapsed;
                progress?.Report(new TrainingProgress(step + 1, o.Steps, loss, elapsed, elapsed / done * (o.Steps - step - 1)));
                if (o.CheckpointEvery > 0 && (step + 1) % o.CheckpointEvery == 0 && step + 1 < o.Steps)
                {
                    Save(llama, gateW, gateB, baseOptimizer, gateOptimizer, step + 1, losses, carried);
                }
            }

            var trainingTime = clock.Elapsed;
            Save(llama, gateW, gateB, baseOptimizer, gateOptimizer, step, losses, carried);
            int ran = step - start;
            return new LongRouteTrainingResult
            {
                Losses = losses,
                StartStep = start,
                Step = step,
                TotalSteps = o.Steps,
                TrainingTime = trainingTime,
                MeanStepTime = ran > 0 ? trainingTime / ran : TimeSpan.Zero,
                GateParameters = model.TrainableCount,
                HeldOutLossMemoryOffBefore = offBefore,
                HeldOutLossBefore = before,
                HeldOutLossMemoryOffAfter = Evaluate(model, heldOut, memory: false),
                HeldOutLossAfter = Evaluate(model, heldOut, memory: true),
            };
        }
        finally
        {
            foreach (var t in gateW.Concat(gateB).Concat(carried?.M ?? []).Concat(carried?.Z ?? []))
            {
                t.Dispose();
            }
        }
    }

    private string Fingerprint => string.Create(CultureInfo.InvariantCulture,
        $"{_options.Shape.Fingerprint}|long S{_options.LongRoute.SinkTokens} W{_options.LongRoute.WindowTokens} L{_options.LongRoute.SegmentTokens} {_options.LongRoute.UpdateRule}{(_options.LongRoute.FeatureMap == MemoryFeatureMap.EluPlusOne ? "" : " " + _options.LongRoute.FeatureMap)}{(_options.LongRoute.FeatureMap == MemoryFeatureMap.Exponential && _options.LongRoute.FeatureScale != ExponentialFeatures.DefaultScale ? $" beta {_options.LongRoute.FeatureScale}" : "")}|{_options.DataDescription}|short {(_options.ShortData is null ? 0 : _options.ShortBatchSize)}x{_options.ShortSequenceLength}|gate lr {_options.GateLearningRate} bias {_options.InitialGateBias}|warmup {_options.WarmupSteps} clip {_options.GradientClip}{(_options.CarryMemorySteps > 0 ? $"|carry {_options.CarryMemorySteps}" : "")}");

    private double Evaluate(GatedTransformer model, int[][]? batch, bool memory)
    {
        if (batch is null)
        {
            return double.NaN;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = TensorFactory.Ids(batch);
        var run = model.ForwardLong(ids, _options.LongRoute, new LongRouteOptions { Targets = ids, ReturnLogits = false, MemoryEnabled = memory });
        return run.Loss!.to_type(ScalarType.Float64).item<double>();
    }

    private double TrainStep(TrainableLlama llama, GatedTransformer model, GateAdamW baseOptimizer, GateAdamW gateOptimizer, int step, int length, ref LongRouteMemory? carried)
    {
        var o = _options;
        using var scope = NewDisposeScope();
        var ids = TensorFactory.Ids(o.LongData.Batch(step, o.BatchSize, length));
        var weights = TensorFactory.Weights(o.LongData.Weights(step, o.BatchSize, length));
        var initial = carried is null ? null : carried with { Holds = carried.Holds.Select((holds, row) => holds && !StartsEmpty(step, row)).ToArray() };

        // No truncation: the question's loss must reach the keys and values of the fact written to memory W + L tokens earlier.
        var run = model.ForwardLong(ids, o.LongRoute, new LongRouteOptions { Targets = ids, Weights = weights, ReturnLogits = false, DetachEverySegments = 0, BackwardPerWindow = true, InitialMemory = initial, ReturnMemory = carried is not null });
        double loss = run.Loss?.to_type(ScalarType.Float64).item<double>() ?? throw new InvalidOperationException("No position of the long sequences read memory.");
        if (carried is not null)
        {
            // The next step's sequences continue from this step's memory (written with this step's weights, before the update).
            foreach (var t in carried.M.Concat(carried.Z))
            {
                t.Dispose();
            }

            carried = run.Memory!;
            foreach (var t in carried.M.Concat(carried.Z))
            {
                t.MoveToOuterDisposeScope();
            }
        }
        if (o.ShortData is not null)
        {
            int n = o.ShortSequenceLength;
            var all = TensorFactory.Ids(o.ShortData.Batch(step, o.ShortBatchSize, n + 1));
            var logits = llama.Forward(all.narrow(1, 0, n)).reshape(-1, o.Shape.VocabSize);
            var targets = all.narrow(1, 1, n).reshape(-1);
            var shortWeights = TensorFactory.Weights(o.ShortData.Weights(step, o.ShortBatchSize, n + 1))?.narrow(1, 1, n).reshape(-1);
            var shortLoss = WeightedCrossEntropy.Mean(logits, targets, shortWeights);
            shortLoss.backward();
        }

        GradientClipping.ClipByGlobalNorm(llama.Parameters.Concat(model.TrainableParameters), o.GradientClip);

        baseOptimizer.Step(LearningRateSchedule.At(step, o.LearningRate, o.WarmupSteps, o.Steps, 0.1));
        gateOptimizer.Step(LearningRateSchedule.At(step, o.GateLearningRate, o.WarmupSteps, o.Steps, 0.1));
        return loss;
    }

    /// <summary>Whether batch row <paramref name="row"/> starts from an empty memory at <paramref name="step"/>: every R steps, the rows staggered.</summary>
    private bool StartsEmpty(int step, int row)
    {
        int r = _options.CarryMemorySteps;
        return (step + (int)((long)row * r / _options.BatchSize)) % r == 0;
    }

    private LongRouteMemory CarriedFromState(float[][] state)
    {
        var shape = _options.Shape;
        int layers = shape.Layers, batch = _options.BatchSize, kv = shape.KvHeads, hd = shape.HeadDim;
        if (state.Length != (2 * layers) + 1 || state[^1].Length != batch)
        {
            throw new InvalidDataException($"The checkpoint's carried memory has {state.Length} tensors; this run carries {(2 * layers) + 1} ({layers} layers' M and z, then {batch} row flags).");
        }

        return new LongRouteMemory(
            state.Take(layers).Select(v => TensorFactory.Frozen(v, ScalarType.Float32, batch, kv, hd, hd)).ToArray(),
            state.Skip(layers).Take(layers).Select(v => TensorFactory.Frozen(v, ScalarType.Float32, batch, kv, hd, 1)).ToArray(),
            state[^1].Select(f => f != 0).ToArray());
    }

    private void Save(TrainableLlama llama, Tensor[] gateW, Tensor[] gateB, GateAdamW baseOptimizer, GateAdamW gateOptimizer, int step, List<double> losses, LongRouteMemory? carried)
    {
        if (_options.CheckpointPath is not { } path)
        {
            return;
        }

        new GateCheckpoint
        {
            PackageRevision = Fingerprint,
            LearningRate = _options.LearningRate,
            Seed = _options.Seed,
            BatchSize = _options.BatchSize,
            Segments = _options.Segments,
            DetachEverySegments = _options.Steps,
            Step = step,
            AdamSteps = baseOptimizer.StepCount,
            Losses = [.. losses],
            Parameters = [.. llama.Export(), .. gateW.Concat(gateB).Select(TrainableLlama.Floats)],
            FirstMoments = baseOptimizer.FirstMoments.Concat(gateOptimizer.FirstMoments).Select(TrainableLlama.Floats).ToArray(),
            SecondMoments = baseOptimizer.SecondMoments.Concat(gateOptimizer.SecondMoments).Select(TrainableLlama.Floats).ToArray(),
            State = carried is null ? [] : [.. carried.M.Concat(carried.Z).Select(TrainableLlama.Floats), carried.Holds.Select(h => h ? 1f : 0f).ToArray()],
        }.Save(path);
    }

    private void CheckMatches(GateCheckpoint c, string path)
    {
        void Require(bool same, string what, object was, object now) => GateCheckpoint.RequireSame(path, same, what, was, now);

        Require(c.PackageRevision == Fingerprint, "model/data", c.PackageRevision, Fingerprint);
        Require(c.LearningRate == _options.LearningRate, "learning rate", c.LearningRate, _options.LearningRate);
        Require(c.Seed == _options.Seed, "seed", c.Seed, _options.Seed);
        Require(c.BatchSize == _options.BatchSize, "batch size", c.BatchSize, _options.BatchSize);
        Require(c.Segments == _options.Segments, "segments per sequence", c.Segments, _options.Segments);
        Require(c.DetachEverySegments == _options.Steps, "schedule length (steps)", c.DetachEverySegments, _options.Steps);
        if (c.Step > _options.Steps)
        {
            throw new InvalidDataException($"Checkpoint '{path}' is already at step {c.Step}, past the {_options.Steps} steps asked for.");
        }
    }
}
