using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Tests;

/// <summary>The same batch at every step: training must then lower the loss on it, whatever the base model knows.</summary>
public sealed class FixedBatchData(ITrainingData source, long sourceStep) : ITrainingData
{
    public int[][] Batch(long step, int batchSize, int length) =>
        step == GateTrainer.HeldOutStep ? source.Batch(step, batchSize, length) : source.Batch(sourceStep, batchSize, length);
}
