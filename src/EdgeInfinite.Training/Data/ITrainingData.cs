namespace EdgeInfinite.Training.Data;

/// <summary>
/// Training sequences for the gate trainer. A batch depends only on the step number, so a resumed run sees exactly
/// the data an uninterrupted run would have seen.
/// </summary>
public interface ITrainingData
{
    /// <summary>Returns the token ids of one training step.</summary>
    /// <param name="step">The step number (0-based).</param>
    /// <param name="batchSize">The number of sequences.</param>
    /// <param name="length">The tokens per sequence.</param>
    /// <returns><c>[batchSize][length]</c> token ids inside the vocabulary.</returns>
    int[][] Batch(long step, int batchSize, int length);

    /// <summary>Returns the loss weight of each token of the same batch as <see cref="Batch"/>, or <see langword="null"/> when every token weighs 1.</summary>
    /// <param name="step">The step number (0-based).</param>
    /// <param name="batchSize">The number of sequences.</param>
    /// <param name="length">The tokens per sequence.</param>
    /// <returns><c>[batchSize][length]</c> non-negative weights (the weight of predicting that token), or <see langword="null"/>.</returns>
    float[][]? Weights(long step, int batchSize, int length) => null;
}
