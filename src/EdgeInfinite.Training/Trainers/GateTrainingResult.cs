namespace EdgeInfinite.Training.Trainers;

/// <summary>The outcome of <see cref="GateTrainer.Train"/>.</summary>
public sealed class GateTrainingResult
{
    /// <summary>Gets the new package folder.</summary>
    public required string OutputPackage { get; init; }

    /// <summary>Gets the loss of every step from step 1 (including steps done before a resume).</summary>
    public required IReadOnlyList<double> Losses { get; init; }

    /// <summary>Gets the step the run started from (0, or the checkpoint's step when resumed).</summary>
    public required int StartStep { get; init; }

    /// <summary>Gets the mean wall time of the steps run in this process.</summary>
    public required TimeSpan MeanStepTime { get; init; }

    /// <summary>Gets the number of trainable values (gate weights and biases).</summary>
    public required long TrainableParameters { get; init; }

    /// <summary>Gets the held-out loss with memory off (sink + window only), or NaN when not measured.</summary>
    public required double HeldOutLossMemoryOff { get; init; }

    /// <summary>Gets the held-out loss with the gates the run started from, or NaN when not measured.</summary>
    public required double HeldOutLossBefore { get; init; }

    /// <summary>Gets the held-out loss with the trained gates, or NaN when not measured.</summary>
    public required double HeldOutLossAfter { get; init; }
}
