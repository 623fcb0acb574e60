using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// The state of one sequence (a conversation): its KV cache and token count. Tokens are appended in chunks of the
/// package's segment length, so a prefill can be cancelled between chunks (and within one, through ONNX Runtime's
/// run termination). A state is not thread-safe; the model it came from is.
/// </summary>
public sealed class InferenceState : IDisposable
{
    private readonly ChunkRunner _runner;
    private readonly PackageConfig _config;
    private KvCache _cache;
    private bool _disposed;

    internal InferenceState(ChunkRunner runner, PackageConfig config, Route route, int capacity)
    {
        _runner = runner;
        _config = config;
        Route = route;
        _cache = new KvCache(config.Architecture, capacity);
    }

    /// <summary>Gets the route this state runs on.</summary>
    public Route Route { get; }

    /// <summary>Gets the number of tokens processed.</summary>
    public int TokenCount => _cache.Length;

    /// <summary>Gets the bytes held by the KV cache.</summary>
    public long StateBytes => _cache.Bytes;

    /// <summary>Appends tokens and returns the logits of the last one.</summary>
    /// <param name="ids">The tokens.</param>
    /// <param name="cancellationToken">Cancels between (and within) chunks; the state keeps every completed chunk.</param>
    /// <param name="progress">Receives progress after each chunk.</param>
    /// <returns>The logits <c>[vocab]</c> of the last appended token.</returns>
    public float[] Append(ReadOnlySpan<int> ids, CancellationToken cancellationToken = default, IProgress<PrefillProgress>? progress = null) =>
        Append(ids, allLogits: false, cancellationToken, progress);

    /// <summary>Appends tokens and returns the logits of every appended position.</summary>
    /// <param name="ids">The tokens.</param>
    /// <param name="cancellationToken">Cancels between chunks.</param>
    /// <param name="progress">Receives progress after each chunk.</param>
    /// <returns>The logits <c>[ids.Length × vocab]</c>, row-major.</returns>
    public float[] AppendAllLogits(ReadOnlySpan<int> ids, CancellationToken cancellationToken = default, IProgress<PrefillProgress>? progress = null) =>
        Append(ids, allLogits: true, cancellationToken, progress);

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _cache.Dispose();
        }
    }

    private float[] Append(ReadOnlySpan<int> ids, bool allLogits, CancellationToken ct, IProgress<PrefillProgress>? progress)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (ids.IsEmpty)
        {
            throw new ArgumentException("At least one token is required.", nameof(ids));
        }

        int vocab = _config.Architecture.VocabSize;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0..{vocab - 1}).");
            }
        }

        EnsureCapacity(ids.Length);
        int chunk = _config.LongRoute.SegmentTokens;
        var result = new float[(allLogits ? ids.Length : 1) * vocab];
        for (int start = 0; start < ids.Length; start += chunk)
        {
            ct.ThrowIfCancellationRequested();
            int n = Math.Min(chunk, ids.Length - start);
            bool last = start + n == ids.Length;
            int keep = allLogits ? n : 1;
            var logits = allLogits || last ? new float[keep * vocab] : new float[vocab];
            RunChunk(ids.Slice(start, n), keep, logits, ct);
            if (allLogits)
            {
                logits.CopyTo(result, start * vocab);
            }
            else if (last)
            {
                logits.CopyTo(result, 0);
            }

            progress?.Report(new PrefillProgress(start + n, ids.Length));
        }

        return result;
    }

    private void RunChunk(ReadOnlySpan<int> ids, int keep, float[] logits, CancellationToken ct)
    {
        using var runOptions = new RunOptions();
        using var registration = ct.CanBeCanceled ? ct.Register(() => runOptions.Terminate = true) : default;
        try
        {
            _runner.Run(_cache, ids, keep, logits, runOptions);
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
        {
            // The cache length only advances after a successful run, so the state is still the one before this chunk.
            throw new OperationCanceledException(ct);
        }
    }

    private void EnsureCapacity(int additional)
    {
        int needed = _cache.Length + additional;
        if (needed <= _cache.Capacity)
        {
            return;
        }

        if (needed > _config.MaxPositions)
        {
            throw new InvalidOperationException($"The short route holds at most {_config.MaxPositions} tokens (the package's maxPositions); this sequence would reach {needed}. Use the long route for longer inputs.");
        }

        int capacity = Math.Min(_config.MaxPositions, Math.Max(needed, _cache.Capacity * 2));
        var bigger = _cache.Grow(capacity);
        _cache.Dispose();
        _cache = bigger;
    }
}
