using EdgeInfinite.Onnx.LongRoute;
using Microsoft.ML.OnnxRuntime;
using C = EdgeInfinite.Onnx.Packaging.ChunkGraphContract;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// A state's I/O binding of the chunk graph: the KV cache, the memory and small pinned input buffers stay bound
/// between runs, so a decode step binds nothing new and allocates nothing (the names are marshalled once, not per
/// token). Only a prefill chunk of another length binds its own <c>input_ids</c> and <c>logits</c> tensors.
/// </summary>
internal sealed class ChunkBuffers : IDisposable
{
    private readonly int _vocab;
    private readonly int _layers;
    private readonly int _hidden;
    private readonly OrtIoBinding _binding;
    private readonly OrtValue _seqlens;
    private readonly OrtValue _total;
    private readonly OrtValue _keep;
    private readonly OrtValue _gate;
    private readonly OrtValue _decodeIds;
    private OrtValue _decodeLogits;
    private float[] _logits;
    private OrtValue? _chunkIds;
    private OrtValue? _chunkLogits;
    private KvCache? _boundCache;
    private object? _boundMemory;
    private bool _decodeBound;

    /// <param name="session">The chunk graph's session.</param>
    /// <param name="maxChunk">The longest chunk.</param>
    /// <param name="vocab">The vocabulary size.</param>
    /// <param name="layers">The layers.</param>
    /// <param name="hidden">0 when the graph takes token ids; the hidden size when it takes <c>inputs_embeds</c> (quantized packages).</param>
    public ChunkBuffers(InferenceSession session, int maxChunk, int vocab, int layers, int hidden)
    {
        _vocab = vocab;
        _layers = layers;
        _hidden = hidden;
        _binding = session.CreateIoBinding();
        Ids = GC.AllocateUninitializedArray<long>(maxChunk, pinned: true);
        Embeds = GC.AllocateUninitializedArray<float>(maxChunk * hidden, pinned: true);
        Scalars = GC.AllocateArray<int>(2, pinned: true);
        Keep = GC.AllocateArray<long>(1, pinned: true);
        Gate = GC.AllocateArray<float>(1, pinned: true);
        _logits = GC.AllocateUninitializedArray<float>(vocab, pinned: true);
        _seqlens = Wrap(Scalars, 0, 1, [1]);
        _total = Wrap(Scalars, 1, 1, []);
        _keep = Wrap(Keep, 0, 1, [1]);
        _gate = Wrap(Gate, 0, 1, [1]);
        _decodeIds = hidden == 0 ? Wrap(Ids, 0, 1, [1, 1]) : Wrap(Embeds, 0, hidden, [1, 1, hidden]);
        _decodeLogits = Wrap(_logits, 0, vocab, [1, 1, vocab]);
        _binding.BindInput(C.SeqLensK, _seqlens);
        _binding.BindInput(C.TotalSequenceLength, _total);
        _binding.BindInput(C.NumLogitsToKeep, _keep);
        _binding.BindInput(C.GateEnable, _gate);
    }

    public long[] Ids { get; }

    /// <summary>Gets the chunk's embedding rows (empty when the graph takes token ids).</summary>
    public float[] Embeds { get; }

    /// <summary>Gets <c>[seqlens_k, total_sequence_length]</c>.</summary>
    public int[] Scalars { get; }

    public long[] Keep { get; }

    public float[] Gate { get; }

    public OrtIoBinding Binding => _binding;

    private string TokenInput => _hidden == 0 ? C.InputIds : C.InputsEmbeds;

    /// <summary>Binds the cache (past and present share each buffer) and the memory when they changed since the last run.</summary>
    public void BindState(KvCache cache, CompressiveMemory? memory, OrtValue[] zeroMemory, OrtValue[] zeroNorm)
    {
        if (!ReferenceEquals(cache, _boundCache))
        {
            for (int i = 0; i < _layers; i++)
            {
                _binding.BindInput(C.PastKey(i), cache.Keys[i]);
                _binding.BindInput(C.PastValue(i), cache.Values[i]);
                _binding.BindOutput(C.PresentKey(i), cache.Keys[i]);
                _binding.BindOutput(C.PresentValue(i), cache.Values[i]);
            }

            _boundCache = cache;
        }

        object memoryKey = (object?)memory ?? zeroMemory;
        if (!ReferenceEquals(memoryKey, _boundMemory))
        {
            for (int i = 0; i < _layers; i++)
            {
                _binding.BindInput(C.Memory(i), memory?.Matrices[i] ?? zeroMemory[i]);
                _binding.BindInput(C.MemoryNorm(i), memory?.Norms[i] ?? zeroNorm[i]);
            }

            _boundMemory = memoryKey;
        }
    }

    /// <summary>Binds the token ids and the logits output for a chunk of <paramref name="length"/> tokens keeping <paramref name="keep"/> logit rows; returns the logits array.</summary>
    public float[] BindTokens(int length, int keep)
    {
        if (length == 1 && keep == 1)
        {
            if (!_decodeBound)
            {
                _binding.BindInput(TokenInput, _decodeIds);
                _binding.BindOutput(C.Logits, _decodeLogits);
                _decodeBound = true;
            }

            return _logits;
        }

        if (_logits.Length < keep * _vocab)
        {
            _logits = GC.AllocateUninitializedArray<float>(keep * _vocab, pinned: true);
            _decodeLogits.Dispose();
            _decodeLogits = Wrap(_logits, 0, _vocab, [1, 1, _vocab]);
        }

        _chunkIds?.Dispose();
        _chunkLogits?.Dispose();
        _chunkIds = _hidden == 0 ? Wrap(Ids, 0, length, [1, length]) : Wrap(Embeds, 0, length * _hidden, [1, length, _hidden]);
        _chunkLogits = Wrap(_logits, 0, keep * _vocab, [1, keep, _vocab]);
        _binding.BindInput(TokenInput, _chunkIds);
        _binding.BindOutput(C.Logits, _chunkLogits);
        _decodeBound = false;
        return _logits;
    }

    /// <summary>Returns the logits buffer holding the last run's output.</summary>
    public float[] Logits() => _logits;

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var v in new[] { _seqlens, _total, _keep, _gate, _decodeIds, _decodeLogits })
        {
            v.Dispose();
        }

        _chunkIds?.Dispose();
        _chunkLogits?.Dispose();
    }

    private static OrtValue Wrap<T>(T[] array, int start, int length, long[] shape)
        where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(array, start, length), shape);
}
