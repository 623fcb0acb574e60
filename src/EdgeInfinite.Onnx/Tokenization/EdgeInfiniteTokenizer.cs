using System.Text.Json;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace EdgeInfinite.Onnx.Tokenization;

/// <summary>
/// The package's tokenizer and chat template through ONNX Runtime GenAI's <c>Tokenizer</c>. Decoding drops special
/// tokens (the right behaviour for chat output). Encoding and decoding are thread-safe; a
/// <see cref="TokenDecoder"/> is per response.
/// </summary>
public sealed class EdgeInfiniteTokenizer : IDisposable
{
    private readonly Tokenizer _tokenizer;
    private readonly object _gate = new();
    private readonly string _directory;
    private volatile bool _poisoned;
    private Task? _runaway;

    /// <summary>Initializes a new instance of the <see cref="EdgeInfiniteTokenizer"/> class.</summary>
    /// <param name="directory">A folder with <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and <c>genai_config.json</c>.</param>
    public EdgeInfiniteTokenizer(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _directory = directory;
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json", "genai_config.json" })
        {
            // Checked first: a failed native construction can leave ONNX Runtime GenAI unstable for the process.
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new FileNotFoundException($"Tokenizer folder '{directory}' is missing '{file}'.", Path.Combine(directory, file));
            }
        }

        // Before native code sees it: a template whose cost is not bounded by the conversation is refused at load.
        ChatTemplateGuard.CheckFolder(directory);
        try
        {
            _tokenizer = new Tokenizer(directory);
        }
        catch (OnnxRuntimeGenAIException ex)
        {
            throw new InvalidDataException($"ONNX Runtime GenAI cannot load the tokenizer in '{directory}': {ex.Message}", ex);
        }
    }

    /// <summary>Encodes text without adding special tokens.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The token ids.</returns>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ThrowIfPoisoned();
        lock (_gate)
        {
            using var sequences = _tokenizer.Encode(text);
            return sequences[0].ToArray();
        }
    }

    /// <summary>Decodes ids to text (special tokens are dropped).</summary>
    /// <param name="ids">The ids.</param>
    /// <returns>The text.</returns>
    public string Decode(ReadOnlySpan<int> ids)
    {
        ThrowIfPoisoned();
        lock (_gate)
        {
            return _tokenizer.Decode(ids);
        }
    }

    /// <summary>Creates a streaming decoder for one response; it buffers partial UTF-8 so multi-byte text is never garbled.</summary>
    /// <returns>The decoder.</returns>
    public TokenDecoder CreateDecoder()
    {
        ThrowIfPoisoned();
        lock (_gate)
        {
            return new TokenDecoder(_tokenizer.CreateStream());
        }
    }

    /// <summary>Gets or sets the longest a chat template may take to render (default 5 s).</summary>
    public TimeSpan RenderTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Renders a conversation with the package's chat template.</summary>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="addGenerationPrompt">Whether to append the assistant turn's opening.</param>
    /// <param name="toolsJson">Optional JSON array of tool definitions for templates that render them.</param>
    /// <returns>The prompt text.</returns>
    /// <exception cref="InvalidOperationException">The template could not render the conversation.</exception>
    /// <exception cref="InvalidDataException">The rendering took longer than <see cref="RenderTimeout"/> or produced far more text than its input (at most twice the input plus 1 MiB).</exception>
    public string ApplyChatTemplate(IEnumerable<ChatTemplateMessage> messages, bool addGenerationPrompt = true, string? toolsJson = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ThrowIfPoisoned();
        string json = JsonSerializer.Serialize(messages.Select(m => new Dictionary<string, string> { ["role"] = m.Role, ["content"] = m.Content }));

        // Native rendering cannot be interrupted, so it runs on its own thread and the caller stops waiting at the time
        // limit; the tokenizer is then retired (every later call fails at once) since that thread may still hold it.
        var render = Task.Factory.StartNew(
            () =>
            {
                lock (_gate)
                {
                    return _tokenizer.ApplyChatTemplate(null, json, toolsJson, addGenerationPrompt);
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        string text;
        try
        {
            if (!render.Wait(RenderTimeout))
            {
                _runaway = render;
                _poisoned = true;
                throw new InvalidDataException($"The chat template in '{_directory}' (tokenizer_config.json chat_template) did not finish rendering within {RenderTimeout.TotalSeconds:0.#} s; the tokenizer is retired. The package's template is not usable.");
            }

            text = render.Result;
        }
        catch (AggregateException ex) when (ex.InnerException is not null)
        {
            if (ex.InnerException is OnnxRuntimeGenAIException inner)
            {
                throw new InvalidOperationException($"The package's chat template could not render the conversation: {inner.Message}", inner);
            }

            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }

        long limit = (2L * (json.Length + (toolsJson?.Length ?? 0))) + (1 << 20);
        if (text.Length > limit)
        {
            throw new InvalidDataException($"The chat template in '{_directory}' (tokenizer_config.json chat_template) rendered {text.Length:N0} characters from {json.Length:N0} characters of messages; the limit is {limit:N0}.");
        }

        return text;
    }

    private void ThrowIfPoisoned()
    {
        if (_poisoned)
        {
            throw new InvalidOperationException($"The tokenizer of '{_directory}' was retired after its chat template exceeded the render time limit.");
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // A render that overran its limit may still be using the native tokenizer: free it only when that render ends.
        if (_runaway is { IsCompleted: false } runaway)
        {
            runaway.ContinueWith(_ => _tokenizer.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            return;
        }

        _tokenizer.Dispose();
    }
}
