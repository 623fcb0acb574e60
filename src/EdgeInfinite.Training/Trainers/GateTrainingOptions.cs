using EdgeInfinite.Training.Data;

namespace EdgeInfinite.Training.Trainers;

/// <summary>Options of <see cref="GateTrainer"/>.</summary>
public sealed class GateTrainingOptions
{
    /// <summary>Gets or sets the total number of optimizer steps (a resumed run continues up to this number).</summary>
    public int Steps { get; set; } = 200;

    /// <summary>Gets or sets the AdamW learning rate.</summary>
    public double LearningRate { get; set; } = 1e-2;

    /// <summary>Gets or sets AdamW's β₁.</summary>
    public double Beta1 { get; set; } = 0.9;

    /// <summary>Gets or sets AdamW's β₂.</summary>
    public double Beta2 { get; set; } = 0.999;

    /// <summary>Gets or sets AdamW's ε.</summary>
    public double AdamEpsilon { get; set; } = 1e-8;

    /// <summary>Gets or sets the decoupled weight decay; 0 (none) for the gates, as their bias sets how much memory is read.</summary>
    public double WeightDecay { get; set; }

    /// <summary>Gets or sets the sequences per step.</summary>
    public int BatchSize { get; set; } = 4;

    /// <summary>
    /// Gets or sets the segments of <c>L</c> tokens per training sequence after the sink (sequence length <c>S + k·L</c>);
    /// <see langword="null"/> picks <c>2·(W/L + 2)</c>, so the repeated half of a <see cref="RepeatedSpanData"/> sequence
    /// finds its first occurrence in memory. Must exceed <c>W/L + 1</c> so that memory is read at all.
    /// </summary>
    public int? SegmentsPerSequence { get; set; }

    /// <summary>
    /// Gets or sets k: back-propagation runs through k segments, then the cache and memory are detached
    /// (truncated back-propagation through time); 0 back-propagates through the whole sequence.
    /// </summary>
    public int DetachEverySegments { get; set; } = 4;

    /// <summary>Gets or sets the seed of the default training data.</summary>
    public int Seed { get; set; }

    /// <summary>
    /// Gets or sets the bias the gates start from when the package's gates are untrained. Untrained packages carry
    /// bias −30 (gate exactly off), where the sigmoid has no gradient; −2 starts with about 12% memory.
    /// </summary>
    public float InitialGateBias { get; set; } = -2f;

    /// <summary>Gets or sets the checkpoint file (gates, optimizer state, step, losses); <see langword="null"/> for none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Gets or sets how many steps pass between checkpoints (one is also written at the end and on cancellation).</summary>
    public int CheckpointEvery { get; set; } = 50;

    /// <summary>Gets or sets a value indicating whether training continues from <see cref="CheckpointPath"/> when that file exists.</summary>
    public bool Resume { get; set; }

    /// <summary>
    /// Gets or sets the number of held-out sequences (the data's batch at step <see cref="GateTrainer.HeldOutStep"/>)
    /// on which the loss is measured before and after training and with memory off; 0 skips the measurement.
    /// </summary>
    public int EvaluationSequences { get; set; } = 8;

    /// <summary>
    /// Gets or sets the number of CPU threads TorchSharp uses (a process-wide setting); <see langword="null"/> leaves
    /// it as it is. On a busy machine one thread per process is often much faster than oversubscribed OpenMP threads.
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>Gets or sets the training data; <see langword="null"/> uses <see cref="RepeatedSpanData"/> with <see cref="Seed"/>.</summary>
    public ITrainingData? Data { get; set; }

    /// <summary>Creates a copy.</summary>
    /// <returns>The copy.</returns>
    public GateTrainingOptions Clone() => (GateTrainingOptions)MemberwiseClone();
}
