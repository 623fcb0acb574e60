using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using TextContent = Microsoft.SemanticKernel.TextContent;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;
using Microsoft.SemanticKernel.TextGeneration;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Semantic Kernel chat completion and text generation over an <see cref="EdgeInfiniteChatClient"/>, with Semantic
/// Kernel's automatic function invocation (filters included) for <c>FunctionChoiceBehavior.Auto()</c>. Settings are
/// read as <see cref="EdgeInfinitePromptExecutionSettings"/> and validated before anything runs.
/// </summary>
public sealed class EdgeInfiniteChatCompletionService : IChatCompletionService, ITextGenerationService
{
    private readonly IChatCompletionService _inner;

    /// <summary>Initializes a new instance of the <see cref="EdgeInfiniteChatCompletionService"/> class.</summary>
    /// <param name="chatClient">The chat client (not owned: dispose it yourself, or let the DI container do it).</param>
    /// <param name="loggerFactory">The logger factory for function invocation.</param>
    public EdgeInfiniteChatCompletionService(EdgeInfiniteChatClient chatClient, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ChatClient = chatClient;
        _inner = chatClient.AsBuilder().UseKernelFunctionInvocation(loggerFactory).Use(inner => new ClientSideHistoryChatClient(inner)).Build().AsChatCompletionService();
        var metadata = ((IChatClient)chatClient).GetService<ChatClientMetadata>()!;
        Attributes = new Dictionary<string, object?>
        {
            [AIServiceExtensions.ModelIdKey] = chatClient.ModelId,
            [AIServiceExtensions.EndpointKey] = metadata.ProviderUri?.ToString(),
        };
    }

    /// <summary>Gets the chat client.</summary>
    public EdgeInfiniteChatClient ChatClient { get; }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        return _inner.GetChatMessageContentsAsync(chatHistory, Prepare(executionSettings), kernel, cancellationToken);
    }

    /// <inheritdoc/>
    public IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        return _inner.GetStreamingChatMessageContentsAsync(chatHistory, Prepare(executionSettings), kernel, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TextContent>> GetTextContentsAsync(string prompt, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var history = new ChatHistory();
        history.AddUserMessage(prompt);
        var messages = await GetChatMessageContentsAsync(history, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        return [.. messages.Select(m => new TextContent(m.Content, m.ModelId, m.InnerContent, m.Encoding, m.Metadata))];
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<StreamingTextContent> GetStreamingTextContentsAsync(string prompt, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var history = new ChatHistory();
        history.AddUserMessage(prompt);
        await foreach (var update in GetStreamingChatMessageContentsAsync(history, executionSettings, kernel, cancellationToken).ConfigureAwait(false))
        {
            yield return new StreamingTextContent(update.Content, update.ChoiceIndex, update.ModelId, update.InnerContent, update.Encoding, update.Metadata);
        }
    }

    private static EdgeInfinitePromptExecutionSettings Prepare(PromptExecutionSettings? executionSettings)
    {
        var settings = EdgeInfinitePromptExecutionSettings.FromExecutionSettings(executionSettings);
        settings.Validate();
        if (settings.ResponseFormat is Type type)
        {
            // Semantic Kernel reads the settings through their JSON form, where a Type cannot go: pass its schema instead.
            settings = (EdgeInfinitePromptExecutionSettings)settings.Clone();
            settings.ResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat.ForJsonSchema(AIJsonUtilities.CreateJsonSchema(type), type.Name);
        }

        return settings;
    }
}
