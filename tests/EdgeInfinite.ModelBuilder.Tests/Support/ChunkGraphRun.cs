using EdgeInfinite.ModelBuilder.Graphs;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using C = EdgeInfinite.Onnx.Packaging.ChunkGraphContract;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>
/// A package's chunk graph run directly with a KV cache of any element type (the engine serves float32 only): each
/// <see cref="Append"/> is one run of the graph with the gate off and an empty memory, returning the last token's logits.
/// </summary>
public sealed class ChunkGraphRun : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly List<OrtValue> _owned = [];
    private readonly List<(OrtValue Keys, OrtValue Values)> _caches = [];
    private readonly int[] _scalars = GC.AllocateArray<int>(2, pinned: true);
    private readonly float[] _logits;
    private int _length;

    /// <summary>Initializes a new instance of the <see cref="ChunkGraphRun"/> class.</summary>
    /// <param name="packageDirectory">The package.</param>
    /// <param name="cacheType">The element type its chunk graph's cache was built with.</param>
    /// <param name="capacity">Cache positions.</param>
    /// <param name="scales">Per-layer key and value scales of an int8 cache (<c>[kvHeads · headDim]</c> each).</param>
    public ChunkGraphRun(string packageDirectory, TensorElementType cacheType, int capacity, (float[] Keys, float[] Values)[]? scales = null)
    {
        var package = ModelPackage.Open(packageDirectory);
        var a = package.Config.Architecture;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        _session = new InferenceSession(package.ChunkGraphPath, options);
        _binding = _session.CreateIoBinding();
        int kv = a.NumKvHeads, hd = a.HeadDim;
        for (int i = 0; i < a.NumLayers; i++)
        {
            var k = Own(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, cacheType, [1, kv, capacity, hd]));
            var v = Own(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, cacheType, [1, kv, capacity, hd]));
            k.GetTensorMutableRawData().Clear();
            v.GetTensorMutableRawData().Clear();
            _caches.Add((k, v));
            _binding.BindInput(C.PastKey(i), k);
            _binding.BindInput(C.PastValue(i), v);
            _binding.BindOutput(C.PresentKey(i), k);
            _binding.BindOutput(C.PresentValue(i), v);
            _binding.BindInput(C.Memory(i), Own(OrtValue.CreateTensorValueFromMemory(new float[kv * hd * hd], [1, kv, hd, hd])));
            _binding.BindInput(C.MemoryNorm(i), Own(OrtValue.CreateTensorValueFromMemory(new float[kv * hd], [1, kv, hd, 1])));
            if (scales is not null)
            {
                _binding.BindInput(TransformerGraphWriter.KeyScale(i), Own(OrtValue.CreateTensorValueFromMemory(scales[i].Keys, [kv * hd])));
                _binding.BindInput(TransformerGraphWriter.ValueScale(i), Own(OrtValue.CreateTensorValueFromMemory(scales[i].Values, [kv * hd])));
            }
        }

        _logits = new float[a.VocabSize];
        _binding.BindInput(C.SeqLensK, Own(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<int>(_scalars, 0, 1), [1])));
        _binding.BindInput(C.TotalSequenceLength, Own(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<int>(_scalars, 1, 1), [])));
        _binding.BindInput(C.NumLogitsToKeep, Own(OrtValue.CreateTensorValueFromMemory(new long[] { 1 }, [1])));
        _binding.BindInput(C.GateEnable, Own(OrtValue.CreateTensorValueFromMemory(new float[1], [1])));
        _binding.BindOutput(C.Logits, Own(OrtValue.CreateTensorValueFromMemory(_logits, [1, 1, a.VocabSize])));
    }

    /// <summary>Appends <paramref name="ids"/> in one run.</summary>
    /// <param name="ids">The tokens.</param>
    /// <returns>A copy of the last token's logits.</returns>
    public float[] Append(params int[] ids)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        _binding.BindInput(C.InputIds, input);
        _scalars[0] = _length + ids.Length - 1;
        _scalars[1] = _length + ids.Length;
        using var run = new RunOptions();
        _session.RunWithBinding(run, _binding);
        _length += ids.Length;
        return (float[])_logits.Clone();
    }

    /// <summary>Copies a float32 cache's buffers of one layer, <c>[kvHeads, capacity, headDim]</c>.</summary>
    /// <param name="layer">The layer.</param>
    /// <returns>The keys and the values.</returns>
    public (float[] Keys, float[] Values) Caches(int layer) =>
        (_caches[layer].Keys.GetTensorDataAsSpan<float>().ToArray(), _caches[layer].Values.GetTensorDataAsSpan<float>().ToArray());

    /// <inheritdoc/>
    public void Dispose()
    {
        _binding.Dispose();
        _session.Dispose();
        foreach (var v in _owned)
        {
            v.Dispose();
        }
    }

    private OrtValue Own(OrtValue value)
    {
        _owned.Add(value);
        return value;
    }
}
