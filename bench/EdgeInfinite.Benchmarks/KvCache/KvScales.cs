using System.Text.Json;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>Per-layer, per-channel (<c>[kvHeads · headDim]</c>) scales of an int8 KV cache: absmax / 127 from a float32 calibration run.</summary>
internal sealed record KvScales(float[][] Keys, float[][] Values)
{
    /// <summary>Feeds <paramref name="tokens"/> through a float32-cache driver and takes each channel's largest magnitude over the valid positions.</summary>
    public static KvScales Calibrate(ChunkGraphDriver float32, ReadOnlySpan<int> tokens)
    {
        var a = float32.Architecture;
        int kv = a.NumKvHeads, hd = a.HeadDim;
        var keys = new float[a.NumLayers][];
        var values = new float[a.NumLayers][];
        for (int i = 0; i < a.NumLayers; i++)
        {
            keys[i] = new float[kv * hd];
            values[i] = new float[kv * hd];
        }

        // After every chunk, so a long-route calibration also sees the positions that are evicted later.
        float32.Feed(tokens, _ =>
        {
            for (int layer = 0; layer < a.NumLayers; layer++)
            {
                Accumulate(float32.FloatKeys(layer), keys[layer], float32.Capacity, float32.Length, kv, hd);
                Accumulate(float32.FloatValues(layer), values[layer], float32.Capacity, float32.Length, kv, hd);
            }
        });
        foreach (var s in keys.Concat(values))
        {
            for (int c = 0; c < s.Length; c++)
            {
                s[c] = Math.Max(s[c], 1e-6f) / 127f;
            }
        }

        return new KvScales(keys, values);
    }

    public static KvScales Load(string path) => JsonSerializer.Deserialize<KvScales>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}': no scales.");

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this));

    private static void Accumulate(ReadOnlySpan<float> cache, float[] max, int capacity, int length, int kv, int hd)
    {
        for (int h = 0; h < kv; h++)
        {
            var head = cache.Slice(h * capacity * hd, length * hd);
            for (int p = 0; p < length; p++)
            {
                for (int c = 0; c < hd; c++)
                {
                    max[h * hd + c] = Math.Max(max[h * hd + c], Math.Abs(head[p * hd + c]));
                }
            }
        }
    }
}
