using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Hides the <see cref="ChatResponse.ConversationId"/> from Semantic Kernel's function invoker. With an id, the
/// invoker treats the service as keeping the history and passes only the new tool results on, but Semantic Kernel's
/// <c>KernelFunctionInvokingChatClient</c> reads the last message of that history before it invokes a plugin (empty:
/// the call fails). Semantic Kernel keeps its <c>ChatHistory</c> on the client side anyway; without the id it sends
/// the whole history, and the chat client still reuses the kept state by token-prefix match.
/// </summary>
internal sealed class ClientSideHistoryChatClient(IChatClient innerClient) : DelegatingChatClient(innerClient)
{
    /// <inheritdoc/>
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        response.ConversationId = null;
        return response;
    }

    /// <inheritdoc/>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            update.ConversationId = null;
            yield return update;
        }
    }
}
