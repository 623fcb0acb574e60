using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Graphs;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using C = EdgeInfinite.Onnx.Packaging.ChunkGraphContract;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>
/// Runs a package's chunk graph directly, whatever its KV cache element type (the engine serves float32 caches only),
/// over the engine's chunk schedule: chunks ending on the grid <c>S + k·L</c>, the short route's cache sized to the whole
/// request, the long route's to <c>S + W + L</c> with <c>L</c> positions evicted before a chunk that would not fit.
/// The eviction only shortens the valid length: the window slide, key re-rotation and memory update run outside the
/// graph on float32 data in the engine and are left out here for every variant alike (gate off, zero memory).
/// </summary>
internal sealed class ChunkGraphDriver : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly ModelArchitecture _a;
    private readonly LongRouteSettings _route;
    private readonly List<OrtValue> _owned = [];
    private readonly long[] _ids;
    private readonly QuantizedEmbedding? _embedding;
    private readonly float[] _embeds;
    private readonly int[] _scalars = GC.AllocateArray<int>(2, pinned: true);
    private readonly long[] _keep = GC.AllocateArray<long>(1, pinned: true);
    private readonly float[] _logits;
    private readonly OrtValue[] _keys;
    private readonly OrtValue[] _values;

    public ChunkGraphDriver(string packageDirectory, KvCachePrecision precision, int capacity, int threads, KvScales? scales)
    {
        var package = ModelPackage.Open(packageDirectory);
        _a = package.Config.Architecture;
        _route = package.Config.LongRoute;
        Precision = precision;
        Capacity = capacity;
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (threads > 0)
        {
            options.IntraOpNumThreads = threads;
        }

        // As the engine: float32 weights are used memory-mapped, quantized ones pre-packed (EdgeInfiniteModel.Load).
        if (!package.Config.Weights.IsQuantized)
        {
            options.AddSessionConfigEntry("session.disable_prepacking", "1");
        }

        _session = new InferenceSession(package.ChunkGraphPath, options);
        _binding = _session.CreateIoBinding();
        int kv = _a.NumKvHeads, hd = _a.HeadDim;
        var type = precision switch
        {
            KvCachePrecision.Float16 or KvCachePrecision.Float16Attention => TensorElementType.Float16,
            KvCachePrecision.Int8 => TensorElementType.Int8,
            _ => TensorElementType.Float,
        };
        _keys = new OrtValue[_a.NumLayers];
        _values = new OrtValue[_a.NumLayers];
        for (int i = 0; i < _a.NumLayers; i++)
        {
            _keys[i] = Own(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, [1, kv, capacity, hd]));
            _values[i] = Own(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, type, [1, kv, capacity, hd]));
            _keys[i].GetTensorMutableRawData().Clear();
            _values[i].GetTensorMutableRawData().Clear();
            _binding.BindInput(C.PastKey(i), _keys[i]);
            _binding.BindInput(C.PastValue(i), _values[i]);
            _binding.BindOutput(C.PresentKey(i), _keys[i]);
            _binding.BindOutput(C.PresentValue(i), _values[i]);
            _binding.BindInput(C.Memory(i), Own(OrtValue.CreateTensorValueFromMemory(new float[kv * hd * hd], [1, kv, hd, hd])));
            _binding.BindInput(C.MemoryNorm(i), Own(OrtValue.CreateTensorValueFromMemory(new float[kv * hd], [1, kv, hd, 1])));
            if (precision == KvCachePrecision.Int8)
            {
                var s = scales ?? throw new ArgumentException("An int8 KV cache needs calibrated scales.", nameof(scales));
                _binding.BindInput(TransformerGraphWriter.KeyScale(i), Own(OrtValue.CreateTensorValueFromMemory(s.Keys[i], [kv * hd])));
                _binding.BindInput(TransformerGraphWriter.ValueScale(i), Own(OrtValue.CreateTensorValueFromMemory(s.Values[i], [kv * hd])));
            }
        }

        _ids = GC.AllocateArray<long>(_route.SinkTokens + _route.SegmentTokens, pinned: true);

        // A quantized package's chunk graph takes the embedding rows, as the engine feeds them.
        _embedding = _session.InputMetadata.ContainsKey(C.InputsEmbeds) ? QuantizedEmbedding.Open(package, _session.ModelMetadata.CustomMetadataMap) : null;
        _embeds = GC.AllocateArray<float>(_embedding is null ? 0 : _ids.Length * _a.HiddenSize, pinned: true);
        _logits = GC.AllocateArray<float>(_a.VocabSize, pinned: true);
        _binding.BindInput(C.SeqLensK, Own(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<int>(_scalars, 0, 1), [1])));
        _binding.BindInput(C.TotalSequenceLength, Own(OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<int>(_scalars, 1, 1), [])));
        _binding.BindInput(C.NumLogitsToKeep, Own(OrtValue.CreateTensorValueFromMemory(_keep, [1])));
        _binding.BindInput(C.GateEnable, Own(OrtValue.CreateTensorValueFromMemory(new float[1], [1])));
        _binding.BindOutput(C.Logits, Own(OrtValue.CreateTensorValueFromMemory(_logits, [1, 1, _a.VocabSize])));
        _keep[0] = 1;
    }

    public KvCachePrecision Precision { get; }

    public int Capacity { get; }

    /// <summary>Gets the number of valid cache positions.</summary>
    public int Length { get; private set; }

    /// <summary>Gets the number of tokens fed so far (the stream position).</summary>
    public long Fed { get; private set; }

    public ModelArchitecture Architecture => _a;

    /// <summary>Gets the float32 key cache of a layer (only for a float32 cache: the calibration reads it).</summary>
    public ReadOnlySpan<float> FloatKeys(int layer) => Precision == KvCachePrecision.Float32 ? _keys[layer].GetTensorDataAsSpan<float>() : throw new InvalidOperationException("not a float32 cache");

    /// <summary>Gets the float32 value cache of a layer (only for a float32 cache).</summary>
    public ReadOnlySpan<float> FloatValues(int layer) => Precision == KvCachePrecision.Float32 ? _values[layer].GetTensorDataAsSpan<float>() : throw new InvalidOperationException("not a float32 cache");

    /// <summary>Starts a new stream on the same buffers (the stale contents are never read: only valid positions are).</summary>
    public void Reset()
    {
        Length = 0;
        Fed = 0;
    }

    /// <summary>Feeds <paramref name="tokens"/> in the engine's chunks; returns the logits of the last token (a reused buffer).</summary>
    public float[] Feed(ReadOnlySpan<int> tokens, Action<float[]>? afterChunk = null)
    {
        int s = _route.SinkTokens, l = _route.SegmentTokens;
        int done = 0;
        while (done < tokens.Length)
        {
            // The next chunk ends on the stream grid S + k·L (the first one may also hold the sink).
            long end = Fed < s + l ? s + l : s + ((Fed - s) / l + 1) * l;
            int t = (int)Math.Min(end - Fed, tokens.Length - done);
            Run(tokens.Slice(done, t));
            done += t;
            afterChunk?.Invoke(_logits);
        }

        return _logits;
    }

    public void Dispose()
    {
        _binding.Dispose();
        _session.Dispose();
        _embedding?.Dispose();
        foreach (var v in _owned)
        {
            v.Dispose();
        }
    }

    private void Run(ReadOnlySpan<int> chunk)
    {
        int t = chunk.Length;
        while (Length + t > Capacity)
        {
            // Long route: the window's oldest L positions leave (into memory, in the engine).
            Length -= _route.SegmentTokens;
            if (Length < _route.SinkTokens)
            {
                throw new InvalidOperationException($"A chunk of {t} does not fit a cache of {Capacity}.");
            }
        }

        for (int i = 0; i < t; i++)
        {
            _ids[i] = chunk[i];
        }

        _embedding?.Lookup(_ids.AsSpan(0, t), _embeds);
        using var ids = _embedding is null
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<long>(_ids, 0, t), [1, t])
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(_embeds, 0, t * _a.HiddenSize), [1, t, _a.HiddenSize]);
        _binding.BindInput(_embedding is null ? C.InputIds : C.InputsEmbeds, ids);
        int total = Length + t;
        _scalars[0] = total - 1;
        _scalars[1] = total;
        using var runOptions = new RunOptions();
        _session.RunWithBinding(runOptions, _binding);
        Length = total;
        Fed += t;
    }

    private OrtValue Own(OrtValue value)
    {
        _owned.Add(value);
        return value;
    }
}
