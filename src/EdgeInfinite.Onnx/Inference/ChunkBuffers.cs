using Microsoft.ML.OnnxRuntime;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// Per-state input and output buffers of the chunk graph, allocated once on the pinned object heap, so the segment
/// loop allocates nothing that grows (or fragments the heap) with the number of tokens processed.
/// </summary>
internal sealed class ChunkBuffers
{
    private readonly int _vocab;
    private float[] _logits;

    public ChunkBuffers(int maxChunk, int vocab)
    {
        _vocab = vocab;
        Ids = GC.AllocateUninitializedArray<long>(maxChunk, pinned: true);
        Scalars = GC.AllocateUninitializedArray<int>(2, pinned: true);
        Keep = GC.AllocateUninitializedArray<long>(1, pinned: true);
        Gate = GC.AllocateUninitializedArray<float>(1, pinned: true);
        _logits = GC.AllocateUninitializedArray<float>(vocab, pinned: true);
    }

    public long[] Ids { get; }

    /// <summary>Gets <c>[seqlens_k, total_sequence_length]</c>.</summary>
    public int[] Scalars { get; }

    public long[] Keep { get; }

    public float[] Gate { get; }

    /// <summary>Returns a logits buffer of at least <paramref name="rows"/> × vocab (grown only for all-position logits).</summary>
    public float[] Logits(int rows)
    {
        if (_logits.Length < rows * _vocab)
        {
            _logits = GC.AllocateUninitializedArray<float>(rows * _vocab, pinned: true);
        }

        return _logits;
    }

    public static OrtValue Wrap<T>(T[] array, int length, long[] shape)
        where T : unmanaged =>
        OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<T>(array, 0, length), shape);
}
