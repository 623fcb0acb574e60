namespace EdgeInfinite.Training.Data;

/// <summary>Deterministic per-sequence seeds (<see cref="HashCode"/> is randomised per process, so resumed runs could not use it).</summary>
internal static class SeedMix
{
    /// <summary>Mixes a run seed, a step and a row into a non-negative <see cref="Random"/> seed (SplitMix64 finaliser).</summary>
    public static int Mix(int seed, long step, int row)
    {
        ulong x = unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)step * 0xBF58476D1CE4E5B9UL) ^ ((ulong)(uint)row * 0x94D049BB133111EBUL));
        x ^= x >> 31;
        x = unchecked(x * 0xD6E8FEB86659FD93UL);
        x ^= x >> 32;
        return (int)(x & 0x7FFFFFFF);
    }
}
