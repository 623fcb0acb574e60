namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// SplitMix64: a tiny seeded generator whose sequence is fixed by this code (unlike <see cref="Random"/>, whose seeded
/// sequence may change between .NET versions), so a corpus seed means the same text everywhere. Not thread-safe.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong _state;

    /// <summary>Initializes a new instance of the <see cref="DeterministicRandom"/> class.</summary>
    /// <param name="seed">The seed.</param>
    public DeterministicRandom(ulong seed) => _state = seed;

    /// <summary>Derives an independent stream for item <paramref name="index"/> of a seeded collection.</summary>
    /// <param name="seed">The collection's seed.</param>
    /// <param name="index">The item.</param>
    /// <returns>The generator.</returns>
    public static DeterministicRandom ForItem(long seed, long index)
    {
        var mixer = new DeterministicRandom(unchecked((ulong)seed));
        ulong a = mixer.NextUInt64();
        return new DeterministicRandom(a ^ Mix(unchecked((ulong)index) + 0x632BE59BD9B4E019UL));
    }

    /// <summary>Returns the next 64 random bits.</summary>
    /// <returns>The value.</returns>
    public ulong NextUInt64()
    {
        _state = unchecked(_state + 0x9E3779B97F4A7C15UL);
        return Mix(_state);
    }

    /// <summary>Returns an integer in [0, <paramref name="maxExclusive"/>).</summary>
    /// <param name="maxExclusive">The bound (positive).</param>
    /// <returns>The value.</returns>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        // Lemire's multiply-shift; the tiny bias for bounds far below 2^32 does not matter here.
        return (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);
    }

    /// <summary>Returns an integer in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    /// <param name="min">The lower bound.</param>
    /// <param name="maxInclusive">The upper bound.</param>
    /// <returns>The value.</returns>
    public int Next(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    /// <summary>Returns a double in [0, 1).</summary>
    /// <returns>The value.</returns>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Returns true with probability <paramref name="p"/>.</summary>
    /// <param name="p">The probability.</param>
    /// <returns>The outcome.</returns>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Picks one item.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items (non-empty).</param>
    /// <returns>The item.</returns>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Next(items.Count)];
    }

    /// <summary>Picks <paramref name="count"/> distinct items (partial Fisher–Yates on a copy).</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="items">The items.</param>
    /// <param name="count">How many (at most the number of items).</param>
    /// <returns>The items, in draw order.</returns>
    public T[] PickDistinct<T>(IReadOnlyList<T> items, int count)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, items.Count);
        var copy = items.ToArray();
        for (int i = 0; i < count; i++)
        {
            int j = i + Next(copy.Length - i);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }

        return copy[..count];
    }

    private static ulong Mix(ulong z)
    {
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
