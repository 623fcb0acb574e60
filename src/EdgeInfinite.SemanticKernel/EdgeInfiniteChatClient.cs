using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SemanticKernel.Conversations;
using EdgeInfinite.SemanticKernel.Diagnostics;
using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// An <see cref="IChatClient"/> over a local EdgeInfinite model: unbounded context with bounded memory.
/// </summary>
/// <remarks>
/// <para>Streaming first: the engine runs on a thread-pool thread and hands updates over a channel, so callers are never
/// blocked; cancellation stops a prefill within one chunk and decoding between tokens. Every update of a response shares
/// one <c>MessageId</c>; the final update carries <see cref="UsageContent"/>, the finish reason, the conversation id and
/// the engine's numbers (route, prompt tokens prefilled and reused, tokens in memory, state bytes, time to first token;
/// see <see cref="EdgeInfiniteMetadataKeys"/>).</para>
/// <para>Constrained decoding (docs/structured-output.md): a JSON <see cref="ChatOptions.ResponseFormat"/> makes the
/// output a JSON value (an instance of its schema, when it has one); <see cref="ChatToolMode.RequireAny"/> and
/// <see cref="ChatToolMode.RequireSpecific"/> make it tool calls; in auto mode a call the model starts can only name an
/// offered function with arguments valid for its parameter schema. An unknown <see cref="ChatOptions.ConversationId"/>
/// is a <see cref="ConversationNotFoundException"/>.</para>
/// <para>The prompt is the package's own chat template. Conversation states are kept (bounded, least recently used) and
/// reused when a new prompt's token ids start with exactly the ids a kept state was fed, so a multi-turn chat prefills
/// only the new turn. A response's <c>ConversationId</c> names the conversation: a request that passes it back sends only
/// the new messages (the client keeps the transcript). Hermes/Qwen-style <c>&lt;tool_call&gt;</c> output becomes
/// <see cref="FunctionCallContent"/>. Thread-safe: concurrent requests each get their own state.</para>
/// </remarks>
public sealed class EdgeInfiniteChatClient : IChatClient
{
    private readonly EdgeInfiniteModel _model;
    private readonly bool _ownsModel;
    private readonly ILogger _logger;
    private readonly ChatClientMetadata _metadata;
    private readonly ConversationStateCache _states;
    private readonly ConversationTranscripts _transcripts;
    private readonly BoundedLruMap<string, string> _rawToolCalls;
    private readonly PromptEncoder _encoder;
    private readonly PromptBuilder _prompts;
    private readonly TextGenerator _generator;
    private readonly DistributedConversationStore? _store;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="EdgeInfiniteChatClient"/> class and loads the model package.</summary>
    /// <param name="options">The options; <see langword="null"/> loads the embedded default model.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="DirectoryNotFoundException">The package folder does not exist (the message names where it looked).</exception>
    public EdgeInfiniteChatClient(EdgeInfiniteChatOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(LoadModel(options?.Clone() ?? new EdgeInfiniteChatOptions(), loggerFactory), ownsModel: true, options?.Clone() ?? new EdgeInfiniteChatOptions(), loggerFactory)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="EdgeInfiniteChatClient"/> class over a loaded model, which the caller keeps owning.</summary>
    /// <param name="model">The model; it needs a tokenizer.</param>
    /// <param name="options">The options (<see cref="EdgeInfiniteChatOptions.PackagePath"/>, threads and threshold are not used).</param>
    /// <param name="loggerFactory">The logger factory.</param>
    public EdgeInfiniteChatClient(EdgeInfiniteModel model, EdgeInfiniteChatOptions? options = null, ILoggerFactory? loggerFactory = null)
        : this(model ?? throw new ArgumentNullException(nameof(model)), ownsModel: false, options?.Clone() ?? new EdgeInfiniteChatOptions(), loggerFactory)
    {
    }

    private EdgeInfiniteChatClient(EdgeInfiniteModel model, bool ownsModel, EdgeInfiniteChatOptions options, ILoggerFactory? loggerFactory)
    {
        options.Validate();
        if (!model.Package.HasTokenizer)
        {
            if (ownsModel)
            {
                model.Dispose();
            }

            throw new ArgumentException($"Model package '{model.Package.Directory}' has no tokenizer (tokenizer.json); a chat client needs one.", nameof(model));
        }

        _model = model;
        _ownsModel = ownsModel;
        _logger = loggerFactory?.CreateLogger<EdgeInfiniteChatClient>() ?? NullLogger<EdgeInfiniteChatClient>.Instance;
        ModelId = options.ModelId ?? model.Config.Name;
        // No provider URI: the model is in process, and a file:// URI would make M.E.AI's telemetry tag server.address "".
        _metadata = new ChatClientMetadata("edgeinfinite", providerUri: null, ModelId);
        _states = new ConversationStateCache(options.ConversationCacheSize);
        _transcripts = new ConversationTranscripts(Math.Max(64, options.ConversationCacheSize * 16));
        _encoder = new PromptEncoder(model.Tokenizer, Math.Max(64, options.ConversationCacheSize * 16));
        _rawToolCalls = new BoundedLruMap<string, string>(Math.Max(64, options.ConversationCacheSize * 16), StringComparer.Ordinal);
        _prompts = new PromptBuilder(model.Tokenizer, id => _rawToolCalls.TryGet(id, out var raw) ? raw : null);
        _generator = new TextGenerator(model);
        ConversationStore = options.ConversationStore;
        _store = options.ConversationStore is { } store
            ? new DistributedConversationStore(store, options.ConversationStoreOptions, model, _logger, Math.Max(64, options.ConversationCacheSize * 16))
            : null;
    }

    /// <summary>Gets the model.</summary>
    public EdgeInfiniteModel Model => _model;

    /// <summary>Gets the model id reported in metadata and responses.</summary>
    public string ModelId { get; }

    /// <summary>Gets the distributed conversation store, or <see langword="null"/> when conversations stay in this process.</summary>
    public Microsoft.Extensions.Caching.Distributed.IDistributedCache? ConversationStore { get; private set; }

    /// <summary>Gets the number of idle conversation states kept for reuse.</summary>
    public int KeptStates => _states.Count;

    /// <inheritdoc/>
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        if (updates.Count > 0 && updates[^1].AdditionalProperties is { Count: > 0 } props)
        {
            // The engine's numbers go on the response and on its last message (Semantic Kernel's ChatMessageContent.Metadata).
            response.AdditionalProperties = new AdditionalPropertiesDictionary(props);
            response.RawRepresentation = updates[^1].RawRepresentation;
            if (response.Messages.Count > 0)
            {
                var last = response.Messages[^1];
                last.AdditionalProperties ??= [];
                foreach (var (key, value) in props)
                {
                    last.AdditionalProperties[key] = value;
                }
            }
        }

        return response;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var settings = RequestSettings.From(options);
        var incoming = messages.ToList();
        KnownConversation? storedBase = null;
        if (_store is not null && options?.ConversationId is { Length: > 0 } storedId)
        {
            // The store first: another replica may have continued this conversation since this process last saw it.
            storedBase = await RestoreFromStoreAsync(storedId, cancellationToken).ConfigureAwait(false);
        }

        string conversationId;
        List<ChatMessage> history;
        try
        {
            conversationId = _transcripts.Resolve(options?.ConversationId, incoming, out history);
        }
        catch (ConversationNotFoundException)
        {
            Log.ConversationUnknown(_logger, options!.ConversationId!);
            throw;
        }

        foreach (string function in settings.UnconstrainedFunctions)
        {
            Log.FunctionArgumentsUnconstrained(_logger, function);
        }

        string? instructions = settings.SystemAddition is null ? options?.Instructions
            : string.IsNullOrEmpty(options?.Instructions) ? settings.SystemAddition
            : options.Instructions + "\n\n" + settings.SystemAddition;
        var job = new ChatRequest(history, instructions, settings, conversationId, "chatcmpl-" + Guid.NewGuid().ToString("N"));
        var channel = Channel.CreateUnbounded<ChatResponseUpdate>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => Produce(job, channel.Writer, stop.Token, cancellationToken), CancellationToken.None);
        try
        {
            await foreach (var update in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                // The engine may be ahead of the caller: a cancellation ends the stream here even if it already finished.
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
            }
        }
        finally
        {
            // The consumer may stop early: stop the engine, and wait so the state is back in the cache before returning.
            await stop.CancelAsync().ConfigureAwait(false);
            if (await producer.ConfigureAwait(false) is { } turn && _store is not null)
            {
                // Stored before the stream ends, so the caller's next request finds it on any replica.
                await _store.PublishAsync(turn, storedBase, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    object? IChatClient.GetService(Type serviceType, object? serviceKey)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType == typeof(EdgeInfiniteModel) ? _model
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _states.Dispose();
        if (_ownsModel)
        {
            _model.Dispose();
        }
    }

    private static EdgeInfiniteModel LoadModel(EdgeInfiniteChatOptions options, ILoggerFactory? loggerFactory)
    {
        options.Validate();
        string path = ModelPackageLocator.Resolve(options.PackagePath);
        var clock = Stopwatch.StartNew();
        var model = EdgeInfiniteModel.Load(path, new EdgeInfiniteModelOptions { IntraOpThreads = options.IntraOpThreads, RouteThreshold = options.RouteThreshold });
        var logger = loggerFactory?.CreateLogger<EdgeInfiniteChatClient>() ?? NullLogger<EdgeInfiniteChatClient>.Instance;
        Log.ModelLoaded(logger, options.ModelId ?? model.Config.Name, path, clock.ElapsedMilliseconds);
        return model;
    }

    private static ChatFinishReason MapFinish(GenerationFinishReason reason, bool toolCalls) =>
        toolCalls ? ChatFinishReason.ToolCalls : reason == GenerationFinishReason.Length ? ChatFinishReason.Length : ChatFinishReason.Stop;

    private async Task<KnownConversation?> RestoreFromStoreAsync(string conversationId, CancellationToken cancellationToken)
    {
        var restored = await _store!.RestoreAsync(conversationId, _states.Holds, cancellationToken).ConfigureAwait(false);
        if (restored is not null)
        {
            var entry = restored.Entry;
            _transcripts.Remember(conversationId, [.. entry.Transcript]);
            foreach (var (content, ids) in entry.Responses)
            {
                _encoder.RememberResponse(content, ids);
            }

            foreach (var (callId, raw) in entry.RawToolCalls)
            {
                _rawToolCalls.Set(callId, raw);
            }

            if (restored.State is { } state)
            {
                _states.Return(new CachedState(state, entry.FedIds, entry.MemoryEnabled));
            }
        }

        return _store.Known(conversationId);
    }

    private ConversationTurn? Produce(ChatRequest job, ChannelWriter<ChatResponseUpdate> writer, CancellationToken ct, CancellationToken callerToken)
    {
        ConversationTurn? turn = null;
        using var activity = EdgeInfiniteTelemetry.ActivitySource.StartActivity($"chat {ModelId}", ActivityKind.Client);
        activity?.SetTag("gen_ai.operation.name", "chat");
        activity?.SetTag("gen_ai.system", "edgeinfinite");
        activity?.SetTag("gen_ai.request.model", ModelId);
        activity?.SetTag("gen_ai.response.id", job.ResponseId);
        InferenceState? state = null;
        List<int>? all = null;
        bool keepState = false;
        try
        {
            var g = job.Settings.Generation;
            var rendered = _prompts.Render(job.History, job.Instructions, job.Settings.Tools);
            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.PromptText(_logger, job.ResponseId, rendered.Text);
            }

            int[] promptIds = _encoder.Encode(rendered);
            if (promptIds.Length == 0)
            {
                throw new ArgumentException("The conversation renders to an empty prompt.", "messages");
            }

            // Routing by the prompt (docs/structured-output.md): Auto starts short when the prompt fits under the
            // threshold; such a state converts itself to the long route in place if the output crosses it.
            var route = _model.ResolveRoute(g.Route, promptIds.Length);
            bool auto = g.Route == Route.Auto;
            var entry = _states.TakeLongestPrefix(promptIds, route, job.Settings.MemoryEnabled, auto);
            int reused = entry?.FedIds.Length ?? 0;
            state = entry?.State ?? _model.CreateStateForPrompt(g.Route, promptIds.Length, g.MaxNewTokens, job.Settings.MemoryEnabled);
            all = [.. promptIds];
            string routeName = route == Route.Long ? "long" : "short";
            Log.RequestStarted(_logger, job.ResponseId, routeName, promptIds.Length, reused, promptIds.Length - reused);
            EdgeInfiniteTelemetry.Requests.Add(1, new KeyValuePair<string, object?>("edgeinfinite.route", routeName));
            if (reused > 0)
            {
                EdgeInfiniteTelemetry.ReusedPromptTokens.Add(reused);
            }

            var run = new ResponseUpdateWriter(job, ModelId, writer, job.Settings.Tools.Count > 0 ? new ToolCallParser() : null, constrained: g.Constraint is not null);
            var clock = Stopwatch.StartNew();
            GenerationUpdate? final = null;
            var produced = new List<int>();
            foreach (var update in _generator.Generate(state, promptIds[reused..], g, job.Settings.Progress, ct))
            {
                if (update.TokenId is { } token)
                {
                    produced.Add(token);
                    all.Add(token);
                }

                run.AddText(update.Text, update);
                if (update.FinishReason is not null)
                {
                    final = update;
                }
            }

            run.Flush();
            var elapsed = clock.Elapsed;
            var finish = final!.FinishReason!.Value;
            double ttftMs = (final.TimeToFirstToken ?? elapsed).TotalMilliseconds;
            double decodeSeconds = elapsed.TotalSeconds - (ttftMs / 1000);
            double tokensPerSecond = produced.Count > 1 && decodeSeconds > 0 ? (produced.Count - 1) / decodeSeconds : 0;
            var props = new AdditionalPropertiesDictionary
            {
                [EdgeInfiniteMetadataKeys.Route] = state.Route == Route.Long ? "long" : "short",
                [EdgeInfiniteMetadataKeys.PromptTokensPrefilled] = promptIds.Length - reused,
                [EdgeInfiniteMetadataKeys.PromptTokensReused] = reused,
                [EdgeInfiniteMetadataKeys.TokensInMemory] = state.TokensInMemory,
                [EdgeInfiniteMetadataKeys.CachedTokens] = state.CachedTokens,
                [EdgeInfiniteMetadataKeys.StateBytes] = state.StateBytes,
                [EdgeInfiniteMetadataKeys.TimeToFirstTokenMs] = ttftMs,
                [EdgeInfiniteMetadataKeys.TokensPerSecond] = tokensPerSecond,
            };
            var usage = new UsageDetails
            {
                InputTokenCount = promptIds.Length,
                CachedInputTokenCount = reused,
                OutputTokenCount = produced.Count,
                TotalTokenCount = promptIds.Length + produced.Count,
            };
            var finishReason = MapFinish(finish, run.HasToolCalls);
            writer.TryWrite(new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(usage)])
            {
                MessageId = job.ResponseId,
                ResponseId = job.ResponseId,
                ConversationId = job.ConversationId,
                ModelId = ModelId,
                CreatedAt = DateTimeOffset.UtcNow,
                FinishReason = finishReason,
                AdditionalProperties = props,
                RawRepresentation = new EdgeInfiniteResponseDetails
                {
                    PromptTokenIds = promptIds,
                    OutputTokenIds = [.. produced],
                    ReusedPromptTokens = reused,
                    FinishReason = finish,
                    RawText = run.RawText,
                },
            });

            // Remember the conversation, and the exact ids behind the response text (so the next turn reuses this state).
            var responseMessage = run.ToMessage();
            _transcripts.Remember(job.ConversationId, [.. job.History, responseMessage]);
            foreach (var (callId, rawCall) in run.RawToolCalls)
            {
                if (rawCall.Length > 0)
                {
                    _rawToolCalls.Set(callId, rawCall);
                }
            }

            string content = _prompts.RenderAssistantContent(responseMessage);
            bool remembered = finish != GenerationFinishReason.StopSequence && content == run.RawText;
            if (remembered)
            {
                _encoder.RememberResponse(content, [.. produced]);
            }

            if (_store is not null)
            {
                turn = CaptureTurn(job, state, all, responseMessage, remembered ? new(content, [.. produced]) : null, run.RawToolCalls);
            }

            foreach (var (called, offered) in run.ResolvedToolNames)
            {
                Log.ToolNameResolved(_logger, job.ResponseId, called, offered);
            }

            if (run.MalformedToolCalls)
            {
                Log.MalformedToolCall(_logger, job.ResponseId);
            }

            if (run.CutToolCall)
            {
                Log.ToolCallCut(_logger, job.ResponseId);
            }

            if (_logger.IsEnabled(LogLevel.Trace))
            {
                Log.ResponseText(_logger, job.ResponseId, run.RawText);
            }

            Log.RequestCompleted(_logger, job.ResponseId, finishReason.Value, produced.Count, ttftMs, tokensPerSecond);
            var routeTag = new KeyValuePair<string, object?>("edgeinfinite.route", routeName);
            EdgeInfiniteTelemetry.TimeToFirstToken.Record(ttftMs / 1000, routeTag);
            if (tokensPerSecond > 0)
            {
                EdgeInfiniteTelemetry.TokensPerSecond.Record(tokensPerSecond, routeTag);
            }

            activity?.SetTag("edgeinfinite.route", routeName);
            activity?.SetTag("edgeinfinite.prompt_tokens_reused", reused);
            activity?.SetTag("gen_ai.usage.input_tokens", promptIds.Length);
            activity?.SetTag("gen_ai.usage.output_tokens", produced.Count);
            activity?.SetTag("gen_ai.response.finish_reasons", finishReason.Value);
            keepState = true;
            writer.TryComplete();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // A cancelled state still holds exactly its completed chunks and tokens: keep it.
            keepState = true;
            Log.RequestCancelled(_logger, job.ResponseId);
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            writer.TryComplete(new OperationCanceledException(callerToken.IsCancellationRequested ? callerToken : ct));
        }
        catch (Exception ex)
        {
            Log.RequestFailed(_logger, job.ResponseId, ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            writer.TryComplete(ex);
        }
        finally
        {
            if (state is not null)
            {
                if (keepState && all is not null && state.TokenCount > 0)
                {
                    int evicted = _states.Return(new CachedState(state, all.GetRange(0, (int)state.TokenCount).ToArray(), job.Settings.MemoryEnabled));
                    if (evicted > 0)
                    {
                        Log.StatesEvicted(_logger, evicted);
                    }
                }
                else
                {
                    state.Dispose();
                }
            }
        }

        return turn;
    }

    private static ConversationTurn CaptureTurn(ChatRequest job, InferenceState state, List<int> all, ChatMessage response, KeyValuePair<string, int[]>? generated, IEnumerable<KeyValuePair<string, string>> rawToolCalls)
    {
        using var snapshot = new MemoryStream();
        state.Save(snapshot);
        return new ConversationTurn(
            job.ConversationId,
            [.. job.History, response],
            all.GetRange(0, (int)state.TokenCount).ToArray(),
            job.Settings.MemoryEnabled,
            generated,
            [.. rawToolCalls.Where(c => c.Value.Length > 0)],
            snapshot.ToArray());
    }
}
