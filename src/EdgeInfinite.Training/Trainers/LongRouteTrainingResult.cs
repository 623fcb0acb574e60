namespace EdgeInfinite.Training.Trainers;

/// <summary>What <see cref="LongRouteTrainer.Train"/> did.</summary>
public sealed class LongRouteTrainingResult
{
    /// <summary>Gets the long-route training loss of every step so far (resumed runs included).</summary>
    public required IReadOnlyList<double> Losses { get; init; }

    /// <summary>Gets the step this process started from.</summary>
    public required int StartStep { get; init; }

    /// <summary>Gets the step reached.</summary>
    public required int Step { get; init; }

    /// <summary>Gets the schedule's length.</summary>
    public required int TotalSteps { get; init; }

    /// <summary>Gets the wall time of the steps run in this process.</summary>
    public required TimeSpan TrainingTime { get; init; }

    /// <summary>Gets the mean step time in this process.</summary>
    public required TimeSpan MeanStepTime { get; init; }

    /// <summary>Gets the number of gate values (the parameters the paper's recipe would train alone).</summary>
    public required long GateParameters { get; init; }

    /// <summary>Gets the held-out long-route loss with memory off, before training.</summary>
    public required double HeldOutLossMemoryOffBefore { get; init; }

    /// <summary>Gets the held-out long-route loss with memory on, before training.</summary>
    public required double HeldOutLossBefore { get; init; }

    /// <summary>Gets the held-out long-route loss with memory off, after training.</summary>
    public required double HeldOutLossMemoryOffAfter { get; init; }

    /// <summary>Gets the held-out long-route loss with memory on, after training.</summary>
    public required double HeldOutLossAfter { get; init; }

    /// <summary>Gets a value indicating whether the schedule ran to its end (not stopped by the time limit).</summary>
    public bool Completed => Step >= TotalSteps;
}
