using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.LongRoute;

/// <summary>
/// The long route's raw KV: the first <c>S</c> positions of the cache are the sink (kept forever), the rest is the
/// window. <see cref="Evict"/> moves the window's oldest <c>L</c> tokens into memory (or drops them when memory is
/// off) and slides the rest down, re-rotating their keys so that positions stay cache-relative and bounded.
/// </summary>
internal sealed class SlidingWindow(ModelArchitecture architecture, int sinkTokens)
{
    private readonly KeyRotation _rotation = new(architecture);
    private float[] _keys = [];
    private float[] _values = [];

    // Hot numeric loop of a long stream: compiled fully optimised at once, not after tiering.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Evict(KvCache cache, int count, CompressiveMemory? memory)
    {
        int hd = architecture.HeadDim;
        int start = sinkTokens;
        int moved = cache.Length - start - count;
        if (_keys.Length != count * hd)
        {
            _keys = new float[count * hd];
            _values = new float[count * hd];
        }

        var keys = _keys;
        var values = _values;
        for (int layer = 0; layer < architecture.NumLayers; layer++)
        {
            var k = cache.Keys[layer].GetTensorMutableDataAsSpan<float>();
            var v = cache.Values[layer].GetTensorMutableDataAsSpan<float>();
            for (int head = 0; head < architecture.NumKvHeads; head++)
            {
                int headBase = head * cache.Capacity * hd;
                if (memory is not null)
                {
                    k.Slice(headBase + start * hd, count * hd).CopyTo(keys);
                    v.Slice(headBase + start * hd, count * hd).CopyTo(values);

                    // Memory stores keys before RoPE: undo the rotation at each key's cache position.
                    _rotation.Rotate(keys, count, -start, -1);
                    memory.Write(layer, head, keys, values, count);
                }

                // Span.CopyTo is overlap-safe, so the window slides down in place.
                k.Slice(headBase + (start + count) * hd, moved * hd).CopyTo(k.Slice(headBase + start * hd));
                v.Slice(headBase + (start + count) * hd, moved * hd).CopyTo(v.Slice(headBase + start * hd));
                _rotation.Rotate(k.Slice(headBase + start * hd, moved * hd), moved, -count);
            }
        }

        cache.Length -= count;
    }
}
