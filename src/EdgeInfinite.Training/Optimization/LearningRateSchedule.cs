namespace EdgeInfinite.Training.Optimization;

/// <summary>Linear warm-up to the peak, then cosine decay to a fraction of it: the schedule of every trainer here.</summary>
internal static class LearningRateSchedule
{
    public static double At(int step, double peak, int warmupSteps, int steps, double finalFraction)
    {
        if (step < warmupSteps)
        {
            return peak * (step + 1) / warmupSteps;
        }

        int decay = Math.Max(1, steps - warmupSteps);
        double progress = Math.Min(1.0, (double)(step - warmupSteps) / decay);
        double floor = peak * finalFraction;
        return floor + ((peak - floor) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
