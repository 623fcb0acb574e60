using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;

namespace EdgeInfinite.Training.Trainers;

/// <summary>Options of <see cref="BasePretrainer"/>.</summary>
public sealed class PretrainOptions
{
    /// <summary>Gets or sets the model dimensions.</summary>
    public required BaseModelShape Shape { get; set; }

    /// <summary>
    /// Gets or sets the training sequences (rows of <see cref="SequenceLength"/> + 1 ids: inputs and shifted targets).
    /// The batch at <see cref="GateTrainer.HeldOutStep"/> is the held-out evaluation batch. Training losses use the
    /// data's per-token weights (<see cref="ITrainingData.Weights"/>) when it has them.
    /// </summary>
    public required ITrainingData Data { get; set; }

    /// <summary>Gets or sets a description of <see cref="Data"/> stored in the checkpoint: a resumed run must use the same data.</summary>
    public string DataDescription { get; set; } = "";

    /// <summary>Gets or sets the length of the learning-rate schedule in optimizer steps (a resumed run continues up to this number).</summary>
    public int Steps { get; set; } = 1000;

    /// <summary>Gets or sets a wall-clock budget for this process; when it is used up the run saves a checkpoint and stops early (resume later).</summary>
    public TimeSpan? TimeLimit { get; set; }

    /// <summary>Gets or sets the tokens per training sequence.</summary>
    public int SequenceLength { get; set; } = 512;

    /// <summary>Gets or sets the sequences per step.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary>Gets or sets the peak AdamW learning rate.</summary>
    public double LearningRate { get; set; } = 2e-3;

    /// <summary>Gets or sets the final learning rate as a fraction of the peak (cosine decay after the warm-up).</summary>
    public double FinalLearningRateFraction { get; set; } = 0.1;

    /// <summary>Gets or sets the steps of linear warm-up.</summary>
    public int WarmupSteps { get; set; } = 30;

    /// <summary>Gets or sets the largest global gradient norm (gradients are scaled down above it); 0 turns clipping off.</summary>
    public double GradientClip { get; set; } = 1.0;

    /// <summary>Gets or sets the decoupled weight decay (applied to every tensor).</summary>
    public double WeightDecay { get; set; }

    /// <summary>
    /// Gets or sets the weights a fresh run starts from (a package's base, for example) instead of the seeded random
    /// initialisation; their shape must be <see cref="Shape"/>, and a resumed run must name the same weights.
    /// </summary>
    public InitialBaseWeights? InitialWeights { get; set; }

    /// <summary>Gets or sets the seed of the initial weights.</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets the checkpoint file (weights, AdamW state, step, losses); <see langword="null"/> for none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Gets or sets how many steps pass between checkpoints (one is also written at the end, on the time limit and on cancellation).</summary>
    public int CheckpointEvery { get; set; } = 25;

    /// <summary>Gets or sets a value indicating whether training continues from <see cref="CheckpointPath"/> when that file exists.</summary>
    public bool Resume { get; set; }

    /// <summary>Gets or sets the held-out sequences on which the loss is measured at the start and the end; 0 skips it.</summary>
    public int EvaluationSequences { get; set; } = 8;

    /// <summary>Gets or sets the TorchSharp CPU threads (process-wide); <see langword="null"/> leaves the setting alone.</summary>
    public int? Threads { get; set; }
}
