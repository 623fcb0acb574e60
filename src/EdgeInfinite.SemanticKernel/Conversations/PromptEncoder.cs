using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>
/// Encodes a rendered prompt. Assistant turns this client generated are spliced in as the exact token ids the model
/// produced (re-encoding generated text can give other ids than the model emitted), so a follow-up prompt starts
/// with exactly the ids the kept state was fed. Correctness never depends on it: an unknown or edited turn is
/// simply encoded as text.
/// </summary>
internal sealed class PromptEncoder
{
    private readonly EdgeInfiniteTokenizer _tokenizer;
    private readonly BoundedLruMap<string, int[]> _generated;

    public PromptEncoder(EdgeInfiniteTokenizer tokenizer, int capacity)
    {
        _tokenizer = tokenizer;
        _generated = new BoundedLruMap<string, int[]>(capacity, StringComparer.Ordinal);
    }

    /// <summary>Remembers the ids a response's text came from.</summary>
    /// <param name="text">The assistant content as it will come back in a later history.</param>
    /// <param name="ids">The generated ids.</param>
    public void RememberResponse(string text, int[] ids)
    {
        if (text.Length > 0 && ids.Length > 0)
        {
            _generated.Set(text, ids);
        }
    }

    /// <summary>Encodes the prompt.</summary>
    /// <param name="prompt">The rendered prompt.</param>
    /// <returns>The ids.</returns>
    public int[] Encode(RenderedPrompt prompt)
    {
        var ids = new List<int>();
        int cursor = 0;
        string text = prompt.Text;
        foreach (string content in prompt.AssistantContents)
        {
            if (content.Length == 0 || !_generated.TryGet(content, out var generated))
            {
                continue;
            }

            // Look for the content where an assistant turn starts, so the same text earlier in the prompt (a user
            // quoting it, say) is not taken for it; fall back to the content alone for templates with other headers.
            int at = -1;
            string header = prompt.AssistantHeader;
            if (header.Length > 0)
            {
                at = text.IndexOf(header + content, cursor, StringComparison.Ordinal);
                at = at < 0 ? -1 : at + header.Length;
            }

            if (at < 0)
            {
                at = text.IndexOf(content, cursor, StringComparison.Ordinal);
            }

            if (at < 0)
            {
                continue;
            }

            if (at > cursor)
            {
                ids.AddRange(_tokenizer.Encode(text[cursor..at]));
            }

            ids.AddRange(generated);
            cursor = at + content.Length;
        }

        if (cursor < text.Length)
        {
            ids.AddRange(_tokenizer.Encode(text[cursor..]));
        }

        return [.. ids];
    }
}
