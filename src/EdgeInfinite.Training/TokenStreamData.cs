namespace EdgeInfinite.Training;

/// <summary>
/// Training sequences cut from one long stream of token ids (a tokenized corpus) at seeded random offsets. The last
/// part of the stream (a tenth, and at least one sequence) is held out: only the evaluation batch
/// (<see cref="GateTrainer.HeldOutStep"/>) is drawn from it.
/// </summary>
public sealed class TokenStreamData : ITrainingData
{
    private readonly int[] _ids;
    private readonly int _seed;

    /// <summary>Initializes a new instance of the <see cref="TokenStreamData"/> class.</summary>
    /// <param name="ids">The token stream (not copied; do not change it while training).</param>
    /// <param name="seed">The seed of the offsets.</param>
    public TokenStreamData(int[] ids, int seed)
    {
        ArgumentNullException.ThrowIfNull(ids);
        _ids = ids;
        _seed = seed;
    }

    /// <summary>Gets the number of tokens in the stream.</summary>
    public int Length => _ids.Length;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The stream is shorter than two sequences (one to train on, one held out).</exception>
    public int[][] Batch(long step, int batchSize, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        int heldOut = Math.Max(length, _ids.Length / 10);
        int training = _ids.Length - heldOut;
        if (training < length)
        {
            throw new ArgumentException($"The training data has {_ids.Length} tokens; sequences of {length} need at least {2 * length} (one part to train on, one held out).", nameof(length));
        }

        bool evaluation = step == GateTrainer.HeldOutStep;
        int start = evaluation ? training : 0, span = evaluation ? heldOut : training;
        var batch = new int[batchSize][];
        for (int row = 0; row < batchSize; row++)
        {
            int offset = start + new Random(SeedMix.Mix(_seed, step, row)).Next(span - length + 1);
            batch[row] = _ids.AsSpan(offset, length).ToArray();
        }

        return batch;
    }
}
