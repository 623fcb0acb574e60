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

    /// <summary>Initializes a new instance of the <see cref="EdgeInfiniteTokenizer"/> class.</summary>
    /// <param name="directory">A folder with <c>tokenizer.json</c>, <c>tokenizer_config.json</c> and <c>genai_config.json</c>.</param>
    public EdgeInfiniteTokenizer(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json", "genai_config.json" })
        {
            // Checked first: a failed native construction can leave ONNX Runtime GenAI unstable for the process.
            if (!File.Exists(Path.Combine(directory, file)))
            {
                throw new FileNotFoundException($"Tokenizer folder '{directory}' is missing '{file}'.", Path.Combine(directory, file));
            }
        }

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
        lock (_gate)
        {
            return _tokenizer.Decode(ids);
        }
    }

    /// <summary>Creates a streaming decoder for one response; it buffers partial UTF-8 so multi-byte text is never garbled.</summary>
    /// <returns>The decoder.</returns>
    public TokenDecoder CreateDecoder()
    {
        lock (_gate)
        {
            return new TokenDecoder(_tokenizer.CreateStream());
        }
    }

    /// <summary>Renders a conversation with the package's chat template.</summary>
    /// <param name="messages">The messages, in order.</param>
    /// <param name="addGenerationPrompt">Whether to append the assistant turn's opening.</param>
    /// <param name="toolsJson">Optional JSON array of tool definitions for templates that render them.</param>
    /// <returns>The prompt text.</returns>
    public string ApplyChatTemplate(IEnumerable<ChatTemplateMessage> messages, bool addGenerationPrompt = true, string? toolsJson = null)
    {
        ArgumentNullException.ThrowIfNull(messages);
        string json = JsonSerializer.Serialize(messages.Select(m => new Dictionary<string, string> { ["role"] = m.Role, ["content"] = m.Content }));
        lock (_gate)
        {
            try
            {
                return _tokenizer.ApplyChatTemplate(null, json, toolsJson, addGenerationPrompt);
            }
            catch (OnnxRuntimeGenAIException ex)
            {
                throw new InvalidOperationException($"The package's chat template could not render the conversation: {ex.Message}", ex);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _tokenizer.Dispose();
}
