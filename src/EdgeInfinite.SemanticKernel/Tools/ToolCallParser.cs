using System.Text.Json;

namespace EdgeInfinite.SemanticKernel.Tools;

/// <summary>
/// Finds Hermes/Qwen-style tool calls, <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>, in
/// streamed model output. Text before a call streams out at once; text that could still be the start of
/// <c>&lt;tool_call&gt;</c> is held back until decided. A call whose body is not a JSON object with a non-empty
/// <c>name</c> comes out as plain text (tags included), so malformed output is never lost. Not thread-safe: one per response.
/// </summary>
internal sealed class ToolCallParser
{
    /// <summary>The opening tag.</summary>
    public const string OpenTag = "<tool_call>";

    /// <summary>The closing tag.</summary>
    public const string CloseTag = "</tool_call>";

    private string _pending = string.Empty;
    private bool _inCall;

    /// <summary>Adds decoded text and returns the segments that are decided.</summary>
    /// <param name="text">The new text.</param>
    /// <returns>The decided segments, in order.</returns>
    public IReadOnlyList<ToolCallSegment> Push(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _pending += text;
        var segments = new List<ToolCallSegment>();
        while (true)
        {
            if (!_inCall)
            {
                int open = _pending.IndexOf(OpenTag, StringComparison.Ordinal);
                if (open >= 0)
                {
                    AddText(segments, _pending[..open]);
                    _pending = _pending[(open + OpenTag.Length)..];
                    _inCall = true;
                    continue;
                }

                int hold = HeldBack(_pending);
                AddText(segments, _pending[..(_pending.Length - hold)]);
                _pending = _pending[(_pending.Length - hold)..];
                return segments;
            }

            int close = _pending.IndexOf(CloseTag, StringComparison.Ordinal);
            if (close < 0)
            {
                return segments;
            }

            string body = _pending[..close];
            _pending = _pending[(close + CloseTag.Length)..];
            _inCall = false;
            string raw = OpenTag + body + CloseTag;
            segments.Add(TryParse(body, out var call) ? new ToolCallSegment(null, call with { RawText = raw }) : new ToolCallSegment(raw, null));
        }
    }

    /// <summary>Ends the output: returns what is still held back (an unterminated call that parses counts as a call).</summary>
    /// <returns>The remaining segments.</returns>
    public IReadOnlyList<ToolCallSegment> Flush()
    {
        var segments = new List<ToolCallSegment>();
        if (_inCall)
        {
            segments.Add(TryParse(_pending, out var call) ? new ToolCallSegment(null, call with { RawText = OpenTag + _pending }) : new ToolCallSegment(OpenTag + _pending, null));
        }
        else
        {
            AddText(segments, _pending);
        }

        _pending = string.Empty;
        _inCall = false;
        return segments;
    }

    /// <summary>Parses a tool-call body.</summary>
    /// <param name="body">The text between the tags.</param>
    /// <param name="call">The call.</param>
    /// <returns>Whether the body is a valid call.</returns>
    public static bool TryParse(string body, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ParsedToolCall? call)
    {
        call = null;
        try
        {
            using var doc = JsonDocument.Parse(body.Trim());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String ||
                string.IsNullOrWhiteSpace(name.GetString()))
            {
                return false;
            }

            var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (root.TryGetProperty("arguments", out var args) || root.TryGetProperty("parameters", out args))
            {
                if (args.ValueKind == JsonValueKind.String)
                {
                    // Some models emit the arguments as a JSON-encoded string.
                    using var inner = JsonDocument.Parse(args.GetString()!);
                    if (!AddArguments(inner.RootElement, arguments))
                    {
                        return false;
                    }
                }
                else if (args.ValueKind != JsonValueKind.Null && !AddArguments(args, arguments))
                {
                    return false;
                }
            }

            call = new ParsedToolCall(name.GetString()!, arguments);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool AddArguments(JsonElement args, Dictionary<string, object?> into)
    {
        if (args.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in args.EnumerateObject())
        {
            into[property.Name] = property.Value.Clone();
        }

        return true;
    }

    private static void AddText(List<ToolCallSegment> segments, string text)
    {
        if (text.Length > 0)
        {
            segments.Add(new ToolCallSegment(text, null));
        }
    }

    private static int HeldBack(string pending)
    {
        for (int len = Math.Min(OpenTag.Length - 1, pending.Length); len > 0; len--)
        {
            if (pending.AsSpan(pending.Length - len).SequenceEqual(OpenTag.AsSpan(0, len)))
            {
                return len;
            }
        }

        return 0;
    }
}
