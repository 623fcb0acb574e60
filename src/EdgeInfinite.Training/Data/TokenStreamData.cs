using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Data;

/// <summary>
/// Training sequences cut from one long stream of token ids (a tokenized corpus) at seeded random offsets. The last
/// part of the stream (a tenth, and at least one sequence) is held out: only the evaluation batch
/// (<see cref="GateTrainer.HeldOutStep"/>) is drawn from it. Given the samples' start offsets, sequences start at a
/// sample's beginning, so a fact and the question about it are not cut apart by the sequence's start. Optional
/// per-token loss weights (for example, recall answers weighted up) are cut at the same offsets.
/// </summary>
public sealed class TokenStreamData : ITrainingData
{
    private readonly int[] _ids;
    private readonly int _seed;
    private readonly int[]? _starts;
    private readonly float[]? _weights;

    /// <summary>Initializes a new instance of the <see cref="TokenStreamData"/> class.</summary>
    /// <param name="ids">The token stream (not copied; do not change it while training).</param>
    /// <param name="seed">The seed of the offsets.</param>
    /// <param name="sampleStarts">The offsets where samples begin, ascending; <see langword="null"/> for any offset.</param>
    /// <param name="weights">The loss weight of each token of the stream (not copied); <see langword="null"/> for 1 everywhere.</param>
    public TokenStreamData(int[] ids, int seed, IReadOnlyList<int>? sampleStarts = null, float[]? weights = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (weights is not null && weights.Length != ids.Length)
        {
            throw new ArgumentException($"The stream has {ids.Length} tokens but {weights.Length} weights.", nameof(weights));
        }

        if (weights is not null && Array.FindIndex(weights, w => !(w >= 0) || !float.IsFinite(w)) is var bad and >= 0)
        {
            throw new ArgumentException($"Weight {bad} is {weights[bad]}; weights must be finite and non-negative.", nameof(weights));
        }

        _ids = ids;
        _seed = seed;
        _weights = weights;
        if (sampleStarts is not null)
        {
            _starts = [.. sampleStarts];
            for (int i = 0; i < _starts.Length; i++)
            {
                if ((uint)_starts[i] >= (uint)ids.Length || (i > 0 && _starts[i] <= _starts[i - 1]))
                {
                    throw new ArgumentException($"Sample start {i} ({_starts[i]}) is not an ascending offset inside the {ids.Length}-token stream.", nameof(sampleStarts));
                }
            }
        }
    }

    /// <summary>Gets the number of tokens in the stream.</summary>
    public int Length => _ids.Length;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The stream is shorter than two sequences (one to train on, one held out).</exception>
    public int[][] Batch(long step, int batchSize, int length) => Cut(_ids, step, batchSize, length);

    /// <inheritdoc/>
    public float[][]? Weights(long step, int batchSize, int length) => _weights is null ? null : Cut(_weights, step, batchSize, length);

    private T[][] Cut<T>(T[] stream, long step, int batchSize, int length)
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
        var batch = new T[batchSize][];
        for (int row = 0; row < batchSize; row++)
        {
            var random = new Random(SeedMix.Mix(_seed, step, row));
            int offset = start + random.Next(span - length + 1);
            if (_starts is not null)
            {
                // The sample start at or before the random offset that still leaves a whole sequence in this part.
                int at = Array.BinarySearch(_starts, offset);
                at = at >= 0 ? at : ~at - 1;
                offset = at >= 0 && _starts[at] >= start ? _starts[at] : offset;
            }

            batch[row] = stream.AsSpan(offset, length).ToArray();
        }

        return batch;
    }
}
