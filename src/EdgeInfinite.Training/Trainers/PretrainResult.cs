namespace EdgeInfinite.Training.Trainers;

/// <summary>What a <see cref="BasePretrainer"/> run did.</summary>
public sealed class PretrainResult
{
    /// <summary>Gets the training loss of every step from step 1 (including the steps of earlier, resumed runs).</summary>
    public required IReadOnlyList<double> Losses { get; init; }

    /// <summary>Gets the step this process started from (0, or the resumed checkpoint's step).</summary>
    public required int StartStep { get; init; }

    /// <summary>Gets the step reached.</summary>
    public required int Step { get; init; }

    /// <summary>Gets the schedule's length.</summary>
    public required int TotalSteps { get; init; }

    /// <summary>Gets the training time of this process.</summary>
    public required TimeSpan TrainingTime { get; init; }

    /// <summary>Gets the mean time per step of this process.</summary>
    public required TimeSpan MeanStepTime { get; init; }

    /// <summary>Gets the number of trained values.</summary>
    public required long ParameterCount { get; init; }

    /// <summary>Gets the held-out loss (mean next-token cross-entropy, full attention) when this process started.</summary>
    public required double HeldOutLossBefore { get; init; }

    /// <summary>Gets the held-out loss at the end.</summary>
    public required double HeldOutLossAfter { get; init; }

    /// <summary>Gets a value indicating whether the run reached <see cref="TotalSteps"/> (false when the time limit stopped it).</summary>
    public bool Completed => Step >= TotalSteps;
}
