using System.Runtime.CompilerServices;
using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>
/// Stands in for a trained model's first turn, which the random test model cannot produce: the first request still
/// runs the real client (prompt with tool definitions, real generation), but its answer is replaced by scripted model
/// output run through the connector's own <see cref="ToolCallParser"/>. Later requests go to the real client unchanged.
/// No conversation id is returned for the scripted turn, so callers send the full history next.
/// </summary>
public sealed class ScriptedToolCallChatClient(IChatClient inner, string scriptedModelOutput) : DelegatingChatClient(inner)
{
    private int _calls;

    public int Calls => _calls;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }

        return updates.ToChatResponse();
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _calls) > 1)
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                yield return update;
            }

            yield break;
        }

        await base.GetResponseAsync(messages, options, cancellationToken);
        var parser = new ToolCallParser();
        var contents = new List<AIContent>();
        foreach (var segment in parser.Push(scriptedModelOutput).Concat(parser.Flush()))
        {
            contents.Add(segment.Call is { } call
                ? new FunctionCallContent("call_" + contents.Count, call.Name, call.Arguments)
                : new TextContent(segment.Text));
        }

        foreach (var content in contents)
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, [content]) { MessageId = "scripted", ResponseId = "scripted" };
        }

        yield return new ChatResponseUpdate(ChatRole.Assistant, []) { MessageId = "scripted", ResponseId = "scripted", FinishReason = ChatFinishReason.ToolCalls };
    }
}
