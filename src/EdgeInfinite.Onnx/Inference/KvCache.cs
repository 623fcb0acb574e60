using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// Per-layer key/value buffers of a fixed capacity, <c>[1, kvHeads, capacity, headDim]</c>, bound as both the past
/// input and the present output of the chunk graph so that <c>GroupQueryAttention</c> appends in place: no copy of
/// the cache per token.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly ModelArchitecture _a;

    public KvCache(ModelArchitecture architecture, int capacity)
    {
        _a = architecture;
        Capacity = capacity;
        var shape = new long[] { 1, architecture.NumKvHeads, capacity, architecture.HeadDim };
        Keys = new OrtValue[architecture.NumLayers];
        Values = new OrtValue[architecture.NumLayers];
        for (int i = 0; i < architecture.NumLayers; i++)
        {
            Keys[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);
            Values[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, shape);
            Keys[i].GetTensorMutableDataAsSpan<float>().Clear();
            Values[i].GetTensorMutableDataAsSpan<float>().Clear();
        }
    }

    public OrtValue[] Keys { get; }

    public OrtValue[] Values { get; }

    public int Capacity { get; }

    /// <summary>Gets or sets the number of valid positions.</summary>
    public int Length { get; set; }

    public long Bytes => 2L * _a.NumLayers * _a.NumKvHeads * Capacity * _a.HeadDim * sizeof(float);

    /// <summary>Copies the first <paramref name="count"/> positions of every layer and head into another cache and sets its length.</summary>
    public void CopyPrefixTo(KvCache target, int count)
    {
        if (count > target.Capacity || count > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Cannot copy {count} positions from a cache of {Length} into one of capacity {target.Capacity}.");
        }

        int hd = _a.HeadDim;
        for (int layer = 0; layer < _a.NumLayers; layer++)
        {
            for (int h = 0; h < _a.NumKvHeads; h++)
            {
                Keys[layer].GetTensorDataAsSpan<float>().Slice(h * Capacity * hd, count * hd).CopyTo(target.Keys[layer].GetTensorMutableDataAsSpan<float>().Slice(h * target.Capacity * hd));
                Values[layer].GetTensorDataAsSpan<float>().Slice(h * Capacity * hd, count * hd).CopyTo(target.Values[layer].GetTensorMutableDataAsSpan<float>().Slice(h * target.Capacity * hd));
            }
        }

        target.Length = count;
    }

    public void Dispose()
    {
        foreach (var v in Keys)
        {
            v.Dispose();
        }

        foreach (var v in Values)
        {
            v.Dispose();
        }
    }
}
