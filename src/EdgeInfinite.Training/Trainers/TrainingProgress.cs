namespace EdgeInfinite.Training.Trainers;

/// <summary>Progress of a gate training run, reported after every step.</summary>
/// <param name="Step">The steps completed.</param>
/// <param name="TotalSteps">The steps of the whole run.</param>
/// <param name="Loss">This step's loss: the mean next-token cross-entropy over the positions after the first eviction (where memory is read).</param>
/// <param name="Elapsed">The time spent in this process.</param>
/// <param name="Eta">The estimated time to the last step.</param>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double Loss, TimeSpan Elapsed, TimeSpan Eta)
{
    /// <summary>Gets the completed fraction.</summary>
    public double Fraction => TotalSteps == 0 ? 1 : (double)Step / TotalSteps;
}
