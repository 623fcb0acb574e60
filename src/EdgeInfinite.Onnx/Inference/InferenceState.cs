using EdgeInfinite.Onnx.LongRoute;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// The state of one sequence (a conversation). Tokens are appended in chunks of the package's segment length
/// <c>L</c> (the segment loop), so a prefill can be cancelled between chunks (and within one, through ONNX
/// Runtime's run termination). Short route: a full KV cache. Long route: a bounded cache of sink + window
/// (<c>S + W + L</c> positions) plus the compressed memory; before each chunk, window tokens that no longer fit
/// are moved into memory. A state is not thread-safe; the model it came from is.
/// </summary>
public sealed class InferenceState : IDisposable
{
    private readonly ChunkRunner _runner;
    private readonly PackageConfig _config;
    private readonly CompressiveMemory? _memory;
    private readonly SlidingWindow? _window;
    private KvCache _cache;
    private bool _disposed;

    internal InferenceState(ChunkRunner runner, PackageConfig config, Route route, int capacity, bool memoryEnabled)
    {
        _runner = runner;
        _config = config;
        Route = route;
        MemoryEnabled = route == Route.Long && memoryEnabled;
        _cache = new KvCache(config.Architecture, capacity);
        if (route == Route.Long)
        {
            var l = config.LongRoute;
            _window = new SlidingWindow(config.Architecture, l.SinkTokens);
            _memory = MemoryEnabled ? new CompressiveMemory(config.Architecture, l.UpdateRule, l.Epsilon) : null;
        }
    }

    /// <summary>Gets the route this state runs on.</summary>
    public Route Route { get; }

    /// <summary>Gets a value indicating whether evicted tokens go to memory (long route); otherwise they are dropped (sink + window only).</summary>
    public bool MemoryEnabled { get; }

    /// <summary>Gets the number of tokens processed.</summary>
    public long TokenCount { get; private set; }

    /// <summary>Gets the number of tokens held raw in the KV cache.</summary>
    public int CachedTokens => _cache.Length;

    /// <summary>Gets the number of tokens compressed into memory.</summary>
    public long TokensInMemory => _memory?.TokensWritten ?? 0;

    /// <summary>Gets the bytes held by the KV cache and the memory.</summary>
    public long StateBytes => _cache.Bytes + (_memory?.Bytes ?? 0);

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
            _memory?.Dispose();
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

        if (Route == Route.Short)
        {
            EnsureCapacity(ids.Length);
        }

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
        if (_window is not null)
        {
            // Long route: make room for the chunk by moving the window's oldest L tokens into memory.
            while (_cache.Length + ids.Length > _cache.Capacity)
            {
                _window.Evict(_cache, _config.LongRoute.SegmentTokens, _memory);
            }
        }

        using var runOptions = new RunOptions();
        using var registration = ct.CanBeCanceled ? ct.Register(() => runOptions.Terminate = true) : default;
        try
        {
            _runner.Run(_cache, ids, keep, logits, runOptions, _memory, gateOn: _memory is { TokensWritten: > 0 });
            TokenCount += ids.Length;
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
