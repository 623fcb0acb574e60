namespace EdgeInfinite.Training.Data;

/// <summary>
/// Seeded synthetic sequences in which memory helps: random tokens whose second half repeats the first half, so
/// every repeated token's first occurrence is half a sequence back; with sequences longer than about
/// <c>2·(S + W + L)</c> that occurrence has left the window and lives only in the compressed memory.
/// </summary>
public sealed class RepeatedSpanData : ITrainingData
{
    private readonly int _vocabSize;
    private readonly int _firstId;
    private readonly int _seed;

    /// <summary>Initializes a new instance of the <see cref="RepeatedSpanData"/> class.</summary>
    /// <param name="vocabSize">The vocabulary size.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="firstId">The smallest id drawn (ids below it, typically special tokens, are never used).</param>
    public RepeatedSpanData(int vocabSize, int seed, int firstId = 3)
    {
        if (firstId < 0 || firstId >= vocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(firstId), firstId, $"The first id must lie inside the vocabulary (0..{vocabSize - 1}).");
        }

        _vocabSize = vocabSize;
        _firstId = firstId;
        _seed = seed;
    }

    /// <inheritdoc/>
    public int[][] Batch(long step, int batchSize, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        var batch = new int[batchSize][];
        for (int row = 0; row < batchSize; row++)
        {
            var random = new Random(SeedMix.Mix(_seed, step, row));
            var ids = new int[length];
            int half = length / 2;
            for (int t = 0; t < length; t++)
            {
                ids[t] = t < length - half ? random.Next(_firstId, _vocabSize) : ids[t - half];
            }

            batch[row] = ids;
        }

        return batch;
    }
}
