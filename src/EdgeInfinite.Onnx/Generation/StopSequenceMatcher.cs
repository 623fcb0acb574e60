namespace EdgeInfinite.Onnx.Generation;

/// <summary>
/// Finds stop strings across token boundaries: text that could still be the start of a stop string is held back
/// until it is decided, so no stop string (or part of one) ever reaches the caller.
/// </summary>
internal sealed class StopSequenceMatcher(IReadOnlyList<string> stops)
{
    private string _pending = string.Empty;

    /// <summary>Adds decoded text; returns the text safe to emit and whether a stop string was reached.</summary>
    public (string Emit, bool Stopped) Push(string text)
    {
        if (stops.Count == 0)
        {
            return (text, false);
        }

        _pending += text;
        int first = -1;
        foreach (string stop in stops)
        {
            int at = _pending.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
            }
        }

        if (first >= 0)
        {
            string emit = _pending[..first];
            _pending = string.Empty;
            return (emit, true);
        }

        int hold = 0;
        foreach (string stop in stops)
        {
            for (int len = Math.Min(stop.Length - 1, _pending.Length); len > hold; len--)
            {
                if (_pending.AsSpan(_pending.Length - len).SequenceEqual(stop.AsSpan(0, len)))
                {
                    hold = len;
                    break;
                }
            }
        }

        string safe = _pending[..(_pending.Length - hold)];
        _pending = _pending[(_pending.Length - hold)..];
        return (safe, false);
    }

    /// <summary>Returns the held-back text at the end of generation.</summary>
    public string Flush()
    {
        string rest = _pending;
        _pending = string.Empty;
        return rest;
    }
}
