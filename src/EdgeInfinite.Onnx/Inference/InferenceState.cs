using EdgeInfinite.Onnx.LongRoute;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// The state of one sequence (a conversation), and the segment loop that feeds it.
/// <para>
/// Tokens are appended in chunks cut on a fixed grid of the stream (boundaries at <c>S + k·L</c>), so the state
/// after a token depends only on the tokens, never on how the caller split them: continuing a kept state equals
/// re-prefilling the whole history, and a prefill can be cancelled between chunks (and within one, through
/// ONNX Runtime's run termination) without corrupting anything.
/// </para>
/// <para>
/// Short route: a full KV cache. Long route: a bounded cache of sink + window (<c>S + W + L</c> positions) plus the
/// compressed memory; before a chunk that would not fit, the window's oldest <c>L</c> tokens are moved into memory.
/// A short state created for <see cref="Inference.Route.Auto"/> converts itself to the long route when the sequence
/// grows past the route threshold. A state is not thread-safe; the model it came from is.
/// </para>
/// </summary>
public sealed class InferenceState : IDisposable
{
    private readonly ChunkRunner _runner;
    private readonly PackageConfig _config;
    private readonly int _routeThreshold;
    private readonly bool _autoRouted;
    private CompressiveMemory? _memory;
    private SlidingWindow? _window;
    private readonly ChunkBuffers _buffers;
    private RunOptions _runOptions = new();
    private KvCache _cache;
    private bool _disposed;

    internal InferenceState(ChunkRunner runner, PackageConfig config, Route route, int capacity, bool memoryEnabled, bool autoRouted, int routeThreshold)
    {
        _runner = runner;
        _config = config;
        _autoRouted = autoRouted && route == Route.Short;
        _routeThreshold = routeThreshold;
        MemoryEnabled = memoryEnabled;
        _buffers = runner.CreateBuffers(config.LongRoute.SinkTokens + config.LongRoute.SegmentTokens);
        _cache = new KvCache(config.Architecture, route == Route.Long ? LongRouteCapacity : capacity);
        if (route == Route.Long)
        {
            EnterLongRoute();
        }
    }

    /// <summary>Gets the route this state runs on now (an auto-routed short state becomes long when it grows past the threshold).</summary>
    public Route Route => _window is null ? Route.Short : Route.Long;

    /// <summary>Gets a value indicating whether, on the long route, evicted tokens go to memory; otherwise they are dropped (sink + window only).</summary>
    public bool MemoryEnabled { get; }

    /// <summary>Gets the number of tokens processed.</summary>
    public long TokenCount { get; private set; }

    /// <summary>Gets the number of tokens held raw in the KV cache.</summary>
    public int CachedTokens => _cache.Length;

    /// <summary>Gets the number of tokens compressed into memory.</summary>
    public long TokensInMemory => _memory?.TokensWritten ?? 0;

    /// <summary>Gets the bytes held by the KV cache and the memory.</summary>
    public long StateBytes => _cache.Bytes + (_memory?.Bytes ?? 0);

    internal PackageConfig Config => _config;

    internal KvCache Cache => _cache;

    internal CompressiveMemory? Memory => _memory;

    internal bool AutoRouted => _autoRouted;

    /// <summary>Gets a value indicating whether this short state was created for <see cref="Inference.Route.Auto"/> and converts itself to the long route past the threshold.</summary>
    public bool RoutesAutomatically => _autoRouted && _window is null;

    private int LongRouteCapacity => _config.LongRoute.SinkTokens + _config.LongRoute.WindowTokens + _config.LongRoute.SegmentTokens;

    /// <summary>Appends tokens and returns the logits of the last one.</summary>
    /// <param name="ids">The tokens.</param>
    /// <param name="cancellationToken">Cancels between (and within) chunks; the state keeps every completed chunk.</param>
    /// <param name="progress">Receives progress after each chunk.</param>
    /// <returns>The logits <c>[vocab]</c> of the last appended token.</returns>
    public float[] Append(ReadOnlySpan<int> ids, CancellationToken cancellationToken = default, IProgress<PrefillProgress>? progress = null) =>
        AppendCore(ids, allLogits: false, cancellationToken, progress).ToArray();

    /// <summary>
    /// Like <see cref="Append"/> for one token, but returns the state's own logits buffer (no allocation per token):
    /// its first <c>vocab</c> values are valid until the next call on this state. The decode loop uses this.
    /// </summary>
    internal float[] AppendOneInPlace(int id, CancellationToken cancellationToken = default)
    {
        AppendCore([id], allLogits: false, cancellationToken, progress: null);
        return _buffers.Logits();
    }

    /// <summary>Appends tokens and returns the logits of every appended position.</summary>
    /// <param name="ids">The tokens.</param>
    /// <param name="cancellationToken">Cancels between chunks.</param>
    /// <param name="progress">Receives progress after each chunk.</param>
    /// <returns>The logits <c>[ids.Length × vocab]</c>, row-major.</returns>
    public float[] AppendAllLogits(ReadOnlySpan<int> ids, CancellationToken cancellationToken = default, IProgress<PrefillProgress>? progress = null) =>
        AppendCore(ids, allLogits: true, cancellationToken, progress).ToArray();

    /// <summary>Scans the KV cache and the memory for NaN or infinity (a health check for very long streams).</summary>
    /// <returns><see langword="true"/> when every value is finite.</returns>
    public bool IsFinite()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int hd = _config.Architecture.HeadDim;
        for (int layer = 0; layer < _config.Architecture.NumLayers; layer++)
        {
            for (int h = 0; h < _config.Architecture.NumKvHeads; h++)
            {
                if (!AllFinite(_cache.Keys[layer].GetTensorDataAsSpan<float>().Slice(h * _cache.Capacity * hd, _cache.Length * hd))
                    || !AllFinite(_cache.Values[layer].GetTensorDataAsSpan<float>().Slice(h * _cache.Capacity * hd, _cache.Length * hd)))
                {
                    return false;
                }
            }

            if (_memory is not null && (!AllFinite(_memory.Matrices[layer].GetTensorDataAsSpan<float>()) || !AllFinite(_memory.Norms[layer].GetTensorDataAsSpan<float>())))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the state to a stream (versioned, checksummed; see <see cref="StateSnapshot"/>).</summary>
    /// <param name="stream">The destination.</param>
    public void Save(Stream stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StateSnapshot.Write(this, stream);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _cache.Dispose();
            _memory?.Dispose();
            _buffers.Dispose();
            _runOptions.Dispose();
        }
    }

    /// <summary>Replaces this (fresh) state's contents with a snapshot's.</summary>
    internal void Restore(long tokenCount, bool longRoute, KvCache cache, CompressiveMemory? memory)
    {
        _cache.Dispose();
        _cache = cache;
        TokenCount = tokenCount;
        if (longRoute)
        {
            _window = new SlidingWindow(_config.Architecture, _config.LongRoute.SinkTokens);
            _memory?.Dispose();
            _memory = memory;
        }
    }

    private Span<float> AppendCore(ReadOnlySpan<int> ids, bool allLogits, CancellationToken ct, IProgress<PrefillProgress>? progress)
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

        if (_autoRouted && _window is null && TokenCount + ids.Length > _routeThreshold)
        {
            ConvertToLongRoute();
        }

        if (_window is null)
        {
            EnsureCapacity(ids.Length);
        }

        float[]? all = allLogits ? new float[ids.Length * vocab] : null;
        Span<float> last = default;
        int start = 0;
        while (start < ids.Length)
        {
            ct.ThrowIfCancellationRequested();
            int n = ChunkLength(TokenCount, ids.Length - start);
            int keep = allLogits ? n : 1;
            var logits = RunChunk(ids.Slice(start, n), keep, ct);
            if (all is not null)
            {
                logits.AsSpan(0, n * vocab).CopyTo(all.AsSpan(start * vocab));
            }
            else
            {
                last = logits.AsSpan(0, vocab);
            }

            start += n;
            progress?.Report(new PrefillProgress(start, ids.Length));
        }

        return all ?? last;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The chunk starting at stream position <paramref name="position"/> ends at the next grid boundary <c>S + k·L</c>.</summary>
    private int ChunkLength(long position, int remaining)
    {
        int s = _config.LongRoute.SinkTokens;
        int l = _config.LongRoute.SegmentTokens;
        long end = position < s ? s + l : s + ((position - s) / l + 1) * l;
        return (int)Math.Min(end - position, remaining);
    }

    private float[] RunChunk(ReadOnlySpan<int> ids, int keep, CancellationToken ct)
    {
        if (_window is not null)
        {
            // Long route: make room for the chunk by moving the window's oldest L tokens into memory.
            while (_cache.Length + ids.Length > _cache.Capacity)
            {
                _window.Evict(_cache, _config.LongRoute.SegmentTokens, _memory);
            }
        }

        if (_runOptions.Terminate)
        {
            // Set by a cancellation that arrived after its run had finished.
            _runOptions.Dispose();
            _runOptions = new RunOptions();
        }

        var runOptions = _runOptions;
        using var registration = ct.CanBeCanceled ? ct.Register(() => runOptions.Terminate = true) : default;
        try
        {
            // The gate reads memory only once it holds something and only when the package's gates are trained.
            bool gateOn = _memory is { TokensWritten: > 0 } && _config.LongRoute.GatesTrained;
            var logits = _runner.Run(_cache, ids, keep, _buffers, runOptions, _memory, gateOn);
            TokenCount += ids.Length;
            return logits;
        }
        catch (OnnxRuntimeException) when (ct.IsCancellationRequested)
        {
            // A terminated RunOptions stays terminated: the next chunk gets a fresh one.
            _runOptions.Dispose();
            _runOptions = new RunOptions();

            // The cache length only advances after a successful run, so the state is still the one before this chunk.
            throw new OperationCanceledException(ct);
        }
        catch (OnnxRuntimeException ex)
        {
            // A graph that loaded and matched the config but fails while running: the package is bad, and
            // OnnxRuntimeException is none of the documented exception types. The state is still the one before this chunk.
            throw new InvalidDataException($"ONNX Runtime failed running the chunk graph '{_config.Files.ChunkGraph}' of package '{_config.Name}': {ex.Message}", ex);
        }
    }

    private void EnterLongRoute()
    {
        _window = new SlidingWindow(_config.Architecture, _config.LongRoute.SinkTokens);
        _memory = MemoryEnabled ? new CompressiveMemory(_config.Architecture, _config.LongRoute) : null;
    }

    /// <summary>
    /// Short → long: the full cache keeps its first S tokens as sink; whole blocks of L after them go to memory, oldest
    /// first, until the rest fits the window, exactly where a long-route state of the same length would stand.
    /// </summary>
    private void ConvertToLongRoute()
    {
        var full = _cache;
        EnterLongRoute();
        while (full.Length > LongRouteCapacity)
        {
            _window!.Evict(full, _config.LongRoute.SegmentTokens, _memory);
        }

        _cache = new KvCache(_config.Architecture, LongRouteCapacity);
        full.CopyPrefixTo(_cache, full.Length);
        full.Dispose();
    }

    private void EnsureCapacity(int additional)
    {
        long needed = _cache.Length + (long)additional;
        if (needed <= _cache.Capacity)
        {
            return;
        }

        if (needed > _config.MaxPositions)
        {
            throw new InvalidOperationException($"The short route holds at most {_config.MaxPositions} tokens (the package's maxPositions); this sequence would reach {needed}. Use the long route (or Route.Auto) for longer inputs.");
        }

        int capacity = (int)Math.Min(_config.MaxPositions, Math.Max(needed, _cache.Capacity * 2L));
        var bigger = new KvCache(_config.Architecture, capacity);
        _cache.CopyPrefixTo(bigger, _cache.Length);
        _cache.Dispose();
        _cache = bigger;
    }
}
