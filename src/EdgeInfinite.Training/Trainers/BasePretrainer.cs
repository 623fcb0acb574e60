using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using EdgeInfinite.Training.Checkpoints;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Optimization;

namespace EdgeInfinite.Training.Trainers;

/// <summary>
/// Trains every weight of a small Llama from random initialisation with full causal attention (the paper's recipe:
/// the base is an ordinary Transformer; only the gates are trained afterwards). Next-token cross-entropy on every
/// position of packed sequences (weighted by the data's per-token weights when it has them; the held-out loss stays
/// unweighted), AdamW with linear warm-up and cosine decay, global gradient-norm clipping, seeded
/// initialisation, checksummed checkpoints that resume exactly, progress with loss and ETA.
/// <see cref="ExportCheckpoint"/> writes the result as a Hugging Face checkpoint folder that
/// <c>PackageBuilder</c> converts.
/// </summary>
public sealed class BasePretrainer
{
    private readonly PretrainOptions _options;

    /// <summary>Initializes a new instance of the <see cref="BasePretrainer"/> class.</summary>
    /// <param name="options">The options.</param>
    public BasePretrainer(PretrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Shape.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Steps, nameof(options.Steps));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SequenceLength, 2, nameof(options.SequenceLength));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize, nameof(options.BatchSize));
        ArgumentOutOfRangeException.ThrowIfNegative(options.WarmupSteps, nameof(options.WarmupSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(options.CheckpointEvery, nameof(options.CheckpointEvery));
        ArgumentOutOfRangeException.ThrowIfNegative(options.EvaluationSequences, nameof(options.EvaluationSequences));
        if (!(options.LearningRate > 0) || !double.IsFinite(options.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.LearningRate, "The learning rate must be a positive number.");
        }

        if (options.Resume && options.CheckpointPath is null)
        {
            throw new ArgumentException("Resume needs a checkpoint path.", nameof(options));
        }

        if (options.InitialWeights is { } initial && initial.Shape.Fingerprint != options.Shape.Fingerprint)
        {
            throw new ArgumentException($"The initial weights are of shape '{initial.Shape.Fingerprint}', the run's is '{options.Shape.Fingerprint}'.", nameof(options));
        }

        _options = options;
    }

    /// <summary>Gets the learning rate of a step: linear warm-up to the peak, then cosine decay to the final fraction.</summary>
    /// <param name="step">The 0-based step.</param>
    /// <returns>The learning rate.</returns>
    public double LearningRateAt(int step) =>
        LearningRateSchedule.At(step, _options.LearningRate, _options.WarmupSteps, _options.Steps, _options.FinalLearningRateFraction);

    /// <summary>Trains (or resumes) up to <see cref="PretrainOptions.Steps"/> or the time limit, and saves a checkpoint at the end.</summary>
    /// <param name="progress">Receives progress after every step.</param>
    /// <param name="cancellationToken">Saves a checkpoint and stops.</param>
    /// <returns>The losses and timings.</returns>
    public PretrainResult Train(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var o = _options;
        if (o.Threads is { } threads)
        {
            set_num_threads(threads);
        }

        using var model = new TrainableLlama(o.Shape, o.Seed, o.SequenceLength);
        var adamOptions = new GateTrainingOptions { LearningRate = o.LearningRate, WeightDecay = o.WeightDecay };
        using var optimizer = new GateAdamW(model.Parameters, adamOptions);
        var losses = new List<double>();
        int start = 0;
        if (o.Resume && o.CheckpointPath is { } resumeFrom && File.Exists(resumeFrom))
        {
            var checkpoint = GateCheckpoint.Load(resumeFrom);
            CheckMatches(checkpoint, resumeFrom);
            if (checkpoint.Step > o.Steps)
            {
                throw new ArgumentOutOfRangeException(nameof(o.Steps), o.Steps, $"Checkpoint '{resumeFrom}' is already at step {checkpoint.Step}, past the {o.Steps} steps asked for.");
            }

            model.Load(checkpoint.Parameters);
            optimizer.Restore(checkpoint.AdamSteps, checkpoint.FirstMoments, checkpoint.SecondMoments);
            losses.AddRange(checkpoint.Losses);
            start = checkpoint.Step;
        }
        else if (o.InitialWeights is { } initial)
        {
            model.Load(initial.Parameters);
        }

        var heldOut = o.EvaluationSequences > 0 ? Batch(GateTrainer.HeldOutStep, o.EvaluationSequences) : null;
        double before = Evaluate(model, heldOut);
        var clock = Stopwatch.StartNew();
        int step = start;
        for (; step < o.Steps; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Save(model, optimizer, step, losses);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (o.TimeLimit is { } limit && clock.Elapsed >= limit)
            {
                break;
            }

            double loss = TrainStep(model, optimizer, Batch(step, o.BatchSize), Weights(step, o.BatchSize), LearningRateAt(step));
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException($"The loss became {loss} at step {step + 1}; try a smaller learning rate.");
            }

            losses.Add(loss);
            int done = step + 1 - start;
            var elapsed = clock.Elapsed;
            progress?.Report(new TrainingProgress(step + 1, o.Steps, loss, elapsed, elapsed / done * (o.Steps - step - 1)));
            if (o.CheckpointEvery > 0 && (step + 1) % o.CheckpointEvery == 0 && step + 1 < o.Steps)
            {
                Save(model, optimizer, step + 1, losses);
            }
        }

        var trainingTime = clock.Elapsed;
        Save(model, optimizer, step, losses);
        double after = Evaluate(model, heldOut);
        int ran = step - start;
        return new PretrainResult
        {
            Losses = losses,
            StartStep = start,
            Step = step,
            TotalSteps = o.Steps,
            TrainingTime = trainingTime,
            MeanStepTime = ran > 0 ? trainingTime / ran : TimeSpan.Zero,
            ParameterCount = model.ParameterCount,
            HeldOutLossBefore = before,
            HeldOutLossAfter = after,
        };
    }

    /// <summary>
    /// Writes a checkpoint's weights as a Hugging Face Llama folder: config.json, model.safetensors (float32, tied
    /// embeddings) and, when given, the tokenizer files copied from <paramref name="tokenizerDirectory"/>.
    /// </summary>
    /// <param name="checkpointPath">A checkpoint written by <see cref="Train"/> with the same shape.</param>
    /// <param name="shape">The model shape.</param>
    /// <param name="directory">The folder to write (created; existing files are overwritten).</param>
    /// <param name="tokenizerDirectory">A folder with tokenizer.json and tokenizer_config.json, or <see langword="null"/>.</param>
    /// <param name="eosTokenIds">The end-of-sequence ids for config.json.</param>
    public static void ExportCheckpoint(string checkpointPath, BaseModelShape shape, string directory, string? tokenizerDirectory, IReadOnlyList<int> eosTokenIds)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointPath);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(eosTokenIds);
        var checkpoint = GateCheckpoint.Load(checkpointPath);
        if (!checkpoint.PackageRevision.StartsWith(shape.Fingerprint + "|", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Checkpoint '{checkpointPath}' holds a model '{checkpoint.PackageRevision.Split('|')[0]}', not '{shape.Fingerprint}'.");
        }

        using var model = new TrainableLlama(shape, 0, 1);

        // A long-route checkpoint (LongRouteTrainer) carries the gates after the base parameters.
        model.Load(checkpoint.Parameters.Take(model.Parameters.Count).ToArray());
        Directory.CreateDirectory(directory);
        var tensors = model.ParameterNames.Zip(model.Parameters, checkpoint.Parameters).Select(t => (t.First, t.Second.shape, t.Third)).ToList();
        string weights = Path.Combine(directory, "model.safetensors");
        File.Delete(weights);
        EdgeInfinite.ModelBuilder.Checkpoints.SafeTensorsWriter.Write(weights, tensors);

        // Every number here is finite: TrainableLlama above validated the shape (BaseModelShape.Validate refuses a non-finite RoPE base or epsilon).
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["model_type"] = "llama",
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
            ["hidden_act"] = "silu",
            ["hidden_size"] = shape.HiddenSize,
            ["intermediate_size"] = shape.IntermediateSize,
            ["num_hidden_layers"] = shape.Layers,
            ["num_attention_heads"] = shape.Heads,
            ["num_key_value_heads"] = shape.KvHeads,
            ["head_dim"] = shape.HeadDim,
            ["max_position_embeddings"] = shape.MaxPositions,
            ["rms_norm_eps"] = shape.RmsNormEps,
            ["rope_theta"] = shape.RopeTheta,
            ["rope_scaling"] = null,
            ["tie_word_embeddings"] = true,
            ["torch_dtype"] = "float32",
            ["vocab_size"] = shape.VocabSize,
            ["eos_token_id"] = new JsonArray(eosTokenIds.Select(id => (JsonNode)JsonValue.Create(id)).ToArray()),
            ["use_cache"] = true,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (tokenizerDirectory is not null)
        {
            foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json" })
            {
                File.Copy(Path.Combine(tokenizerDirectory, name), Path.Combine(directory, name), overwrite: true);
            }
        }
    }

    /// <summary>Runs a checkpoint's model with full attention (for checks against the converted package).</summary>
    /// <param name="checkpointPath">The checkpoint.</param>
    /// <param name="shape">The model shape.</param>
    /// <param name="ids">The token ids.</param>
    /// <returns>The logits, row-major <c>[ids, vocab]</c>.</returns>
    public static float[] Logits(string checkpointPath, BaseModelShape shape, IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var checkpoint = GateCheckpoint.Load(checkpointPath);
        using var model = new TrainableLlama(shape, 0, ids.Count);
        model.Load(checkpoint.Parameters);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = model.Forward(tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Count]));
        return TrainableLlama.Floats(logits);
    }

    private string Fingerprint => string.Create(CultureInfo.InvariantCulture, $"{_options.Shape.Fingerprint}|{_options.DataDescription}{(_options.InitialWeights is { } initial ? "|init " + initial.Description : "")}|warmup {_options.WarmupSteps} final {_options.FinalLearningRateFraction} clip {_options.GradientClip} wd {_options.WeightDecay}");

    private int[][] Batch(long step, int size)
    {
        int length = _options.SequenceLength + 1, vocab = _options.Shape.VocabSize;
        var batch = _options.Data.Batch(step, size, length);
        if (batch.Length != size || batch.Any(row => row.Length != length))
        {
            throw new InvalidDataException($"The training data returned a batch of the wrong shape at step {step} (expected {size} × {length}).");
        }

        if (batch.SelectMany(row => row).Any(id => (uint)id >= (uint)vocab))
        {
            throw new InvalidDataException($"The training data has a token id outside the vocabulary (0..{vocab - 1}).");
        }

        return batch;
    }

    /// <summary>The data's loss weights for the batch of <see cref="Batch"/>, checked the same way; null when it has none.</summary>
    private float[][]? Weights(long step, int size)
    {
        int length = _options.SequenceLength + 1;
        var weights = _options.Data.Weights(step, size, length);
        if (weights is not null && (weights.Length != size || weights.Any(row => row.Length != length)))
        {
            throw new InvalidDataException($"The training data returned loss weights of the wrong shape at step {step} (expected {size} × {length}).");
        }

        return weights;
    }

    private static (Tensor Inputs, Tensor Targets) Split(int[][] batch)
    {
        int b = batch.Length, n = batch[0].Length - 1;
        var flat = batch.SelectMany(row => row.Select(id => (long)id)).ToArray();
        var all = tensor(flat, [b, n + 1]);
        return (all.narrow(1, 0, n), all.narrow(1, 1, n));
    }

    private static double Loss(TrainableLlama model, int[][] batch, float[][]? weights, out Tensor loss)
    {
        var (inputs, targets) = Split(batch);
        var logits = model.Forward(inputs);
        var targetWeights = TensorFactory.Weights(weights)?.narrow(1, 1, batch[0].Length - 1).reshape(-1);
        loss = WeightedCrossEntropy.Mean(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), targetWeights);
        using var value = loss.detach().to_type(ScalarType.Float64);
        return value.item<double>();
    }

    private static double Evaluate(TrainableLlama model, int[][]? batch)
    {
        if (batch is null)
        {
            return double.NaN;
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Unweighted, so held-out losses compare across answer weights.
        return Loss(model, batch, weights: null, out _);
    }

    private double TrainStep(TrainableLlama model, GateAdamW optimizer, int[][] batch, float[][]? weights, double learningRate)
    {
        using var scope = NewDisposeScope();
        double value = Loss(model, batch, weights, out var loss);
        loss.backward();
        GradientClipping.ClipByGlobalNorm(model.Parameters, _options.GradientClip);

        optimizer.Step(learningRate);
        return value;
    }

    private void Save(TrainableLlama model, GateAdamW optimizer, int step, List<double> losses)
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
            Segments = _options.SequenceLength,
            DetachEverySegments = _options.Steps,
            Step = step,
            AdamSteps = optimizer.StepCount,
            Losses = [.. losses],
            Parameters = model.Export(),
            FirstMoments = optimizer.FirstMoments.Select(TrainableLlama.Floats).ToArray(),
            SecondMoments = optimizer.SecondMoments.Select(TrainableLlama.Floats).ToArray(),
        }.Save(path);
    }

    private void CheckMatches(GateCheckpoint c, string path)
    {
        void Require(bool same, string what, object was, object now) => GateCheckpoint.RequireSame(path, same, what, was, now);

        Require(c.PackageRevision == Fingerprint, "model/data", c.PackageRevision, Fingerprint);
        Require(c.LearningRate == _options.LearningRate, "learning rate", c.LearningRate, _options.LearningRate);
        Require(c.Seed == _options.Seed, "seed", c.Seed, _options.Seed);
        Require(c.BatchSize == _options.BatchSize, "batch size", c.BatchSize, _options.BatchSize);
        Require(c.Segments == _options.SequenceLength, "sequence length", c.Segments, _options.SequenceLength);
        Require(c.DetachEverySegments == _options.Steps, "schedule length (steps)", c.DetachEverySegments, _options.Steps);
    }
}
