using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>
/// A bounded least-recently-used set of idle inference states. A request takes the state whose fed ids are the
/// longest exact prefix of its prompt (so an edited history never reuses a wrong state), uses it alone, and returns
/// it afterwards. Thread-safe.
/// </summary>
internal sealed class ConversationStateCache : IDisposable
{
    private readonly LinkedList<CachedState> _idle = new();
    private readonly object _gate = new();
    private readonly int _capacity;
    private bool _disposed;

    public ConversationStateCache(int capacity) => _capacity = capacity;

    /// <summary>Gets the number of idle states kept.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _idle.Count;
            }
        }
    }

    /// <summary>Takes the best state for a prompt out of the cache.</summary>
    /// <param name="promptIds">The request's prompt ids.</param>
    /// <param name="route">The route the request runs on.</param>
    /// <param name="memoryEnabled">Whether the request wants the compressed memory (long route).</param>
    /// <param name="allowConversion">Whether an automatically routed short state may serve a long request (it converts itself).</param>
    /// <returns>The state, or <see langword="null"/> when none is a proper prefix of the prompt.</returns>
    public CachedState? TakeLongestPrefix(IReadOnlyList<int> promptIds, Route route, bool memoryEnabled, bool allowConversion = false)
    {
        lock (_gate)
        {
            LinkedListNode<CachedState>? best = null;
            for (var node = _idle.First; node is not null; node = node.Next)
            {
                var entry = node.Value;
                bool converts = allowConversion && route == Route.Long && entry.State.RoutesAutomatically && entry.MemoryEnabled == memoryEnabled;
                if ((entry.State.Route != route && !converts) || (route == Route.Long && entry.MemoryEnabled != memoryEnabled))
                {
                    continue;
                }

                // At least one new token is needed: the prompt's last position gives the first logits.
                if (entry.FedIds.Length < promptIds.Count && (best is null || entry.FedIds.Length > best.Value.FedIds.Length) && IsPrefix(entry.FedIds, promptIds))
                {
                    best = node;
                }
            }

            if (best is null)
            {
                return null;
            }

            _idle.Remove(best);
            return best.Value;
        }
    }

    /// <summary>Whether an idle state fed exactly these ids is kept.</summary>
    /// <param name="fedIds">The ids.</param>
    /// <returns><see langword="true"/> when one is kept.</returns>
    public bool Holds(int[] fedIds)
    {
        lock (_gate)
        {
            foreach (var entry in _idle)
            {
                if (entry.FedIds.Length == fedIds.Length && entry.FedIds.AsSpan().SequenceEqual(fedIds))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Returns a state after use; the least recently used states beyond the capacity are disposed.</summary>
    /// <param name="entry">The state and its fed ids.</param>
    /// <returns>The number of states evicted.</returns>
    public int Return(CachedState entry)
    {
        var evicted = new List<CachedState>();
        lock (_gate)
        {
            if (_disposed || _capacity == 0 || entry.FedIds.Length == 0)
            {
                evicted.Add(entry);
            }
            else
            {
                _idle.AddFirst(entry);
                while (_idle.Count > _capacity)
                {
                    evicted.Add(_idle.Last!.Value);
                    _idle.RemoveLast();
                }
            }
        }

        foreach (var e in evicted)
        {
            e.State.Dispose();
        }

        return evicted.Count(e => !ReferenceEquals(e, entry));
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        List<CachedState> all;
        lock (_gate)
        {
            _disposed = true;
            all = [.. _idle];
            _idle.Clear();
        }

        foreach (var e in all)
        {
            e.State.Dispose();
        }
    }

    private static bool IsPrefix(int[] prefix, IReadOnlyList<int> ids)
    {
        for (int i = 0; i < prefix.Length; i++)
        {
            if (prefix[i] != ids[i])
            {
                return false;
            }
        }

        return true;
    }
}
