using System.Text;
using System.Threading.Channels;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel;

/// <summary>Turns generated text into updates: text as it comes, tool calls once complete.</summary>
internal sealed class ResponseUpdateWriter(ChatRequest job, string modelId, ChannelWriter<ChatResponseUpdate> writer, ToolCallParser? parser, bool constrained = false)
{
    private readonly StringBuilder _raw = new();
    private readonly List<AIContent> _contents = [];
    private readonly List<KeyValuePair<string, string>> _rawCalls = [];

    public bool HasToolCalls { get; private set; }

    public bool MalformedToolCalls { get; private set; }

    /// <summary>Gets a value indicating whether a constrained tool call was cut by the output budget (and dropped).</summary>
    public bool CutToolCall { get; private set; }

    /// <summary>Gets the called names that were mapped to an offered function (called → offered).</summary>
    public List<KeyValuePair<string, string>> ResolvedToolNames { get; } = [];

    public string RawText => _raw.ToString();

    /// <summary>Gets each tool call's id and the text the model generated for it.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RawToolCalls => _rawCalls;

    public void AddText(string text, GenerationUpdate raw)
    {
        if (text.Length == 0)
        {
            return;
        }

        _raw.Append(text);
        if (parser is null)
        {
            Write(new TextContent(text), raw);
            return;
        }

        Write(parser.Push(text), raw);
    }

    public void Flush()
    {
        if (parser is null)
        {
            return;
        }

        var rest = parser.Flush();
        if (constrained && rest.Count > 0 && rest[^1].Text is { } text && text.StartsWith(ToolCallParser.OpenTag, StringComparison.Ordinal))
        {
            // Under constrained decoding only the output budget can leave a call unfinished: drop it rather than return raw call text.
            CutToolCall = true;
            rest = [.. rest.Take(rest.Count - 1)];
        }

        Write(rest, null);
    }

    public ChatMessage ToMessage()
    {
        var merged = new List<AIContent>();
        foreach (var c in _contents)
        {
            if (c is TextContent t && merged.Count > 0 && merged[^1] is TextContent prev)
            {
                merged[^1] = new TextContent(prev.Text + t.Text);
            }
            else
            {
                merged.Add(c);
            }
        }

        return new ChatMessage(ChatRole.Assistant, merged) { MessageId = job.ResponseId };
    }

    private void Write(IReadOnlyList<ToolCallSegment> segments, GenerationUpdate? raw)
    {
        foreach (var segment in segments)
        {
            if (segment.Call is { } call)
            {
                HasToolCalls = true;
                string callId = "call_" + Guid.NewGuid().ToString("N")[..24];
                _rawCalls.Add(new KeyValuePair<string, string>(callId, call.RawText));
                string name = ToolNameResolver.Resolve(call.Name, job.Settings.Tools);
                if (!string.Equals(name, call.Name, StringComparison.Ordinal))
                {
                    ResolvedToolNames.Add(new KeyValuePair<string, string>(call.Name, name));
                }

                Write(new FunctionCallContent(callId, name, call.Arguments), raw);
            }
            else if (segment.Text is { } text)
            {
                MalformedToolCalls |= text.Contains(ToolCallParser.OpenTag, StringComparison.Ordinal);
                Write(new TextContent(text), raw);
            }
        }
    }

    private void Write(AIContent content, GenerationUpdate? raw)
    {
        _contents.Add(content);
        writer.TryWrite(new ChatResponseUpdate(ChatRole.Assistant, [content])
        {
            MessageId = job.ResponseId,
            ResponseId = job.ResponseId,
            ConversationId = job.ConversationId,
            ModelId = modelId,
            CreatedAt = DateTimeOffset.UtcNow,
            RawRepresentation = raw,
        });
    }
}
