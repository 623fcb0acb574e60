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

    /// <summary>Copies the valid positions into a larger cache.</summary>
    public KvCache Grow(int capacity)
    {
        var bigger = new KvCache(_a, capacity) { Length = Length };
        int hd = _a.HeadDim;
        for (int layer = 0; layer < _a.NumLayers; layer++)
        {
            for (int h = 0; h < _a.NumKvHeads; h++)
            {
                CopyHead(Keys[layer], bigger.Keys[layer], h, Capacity, capacity, Length * hd);
                CopyHead(Values[layer], bigger.Values[layer], h, Capacity, capacity, Length * hd);
            }
        }

        return bigger;

        void CopyHead(OrtValue from, OrtValue to, int head, int fromCap, int toCap, int count) =>
            from.GetTensorDataAsSpan<float>().Slice(head * fromCap * hd, count).CopyTo(to.GetTensorMutableDataAsSpan<float>().Slice(head * toCap * hd, count));
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
