using System.Text;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Loss;

/// <summary>
/// Reads a text file for <c>eval loss</c>: documents separated by <c>&lt;|endoftext|&gt;</c> (as <c>make-corpus</c>
/// writes them). A document that is exactly ChatML messages followed by <c>&lt;|endoftext|&gt;</c> and a newline is
/// encoded as training encodes a sample (<see cref="SampleEncoder"/>: the same ids, and its assistant mask); any other
/// document is encoded as plain text with no assistant tokens. Reading stops at the token budget, so a large file costs
/// no more than the budget; a document longer than <see cref="MaxDocumentChars"/> characters is encoded in pieces.
/// </summary>
public static class LossTextFile
{
    /// <summary>The longest piece of text encoded at once; a longer document is cut (a token may split at the cut).</summary>
    public const int MaxDocumentChars = 1 << 20;

    /// <summary>Reads and encodes a file.</summary>
    /// <param name="path">The UTF-8 text file.</param>
    /// <param name="encoder">The sample encoder over the package's tokenizer, or <see langword="null"/> when the tokenizer has no ChatML tokens (every document is then plain text).</param>
    /// <param name="tokenizer">The package's tokenizer (for documents that are not ChatML).</param>
    /// <param name="tokens">The token budget.</param>
    /// <param name="cancellationToken">Cancels between documents.</param>
    /// <returns>The text.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file holds fewer than two tokens.</exception>
    public static LossText Read(string path, SampleEncoder? encoder, EdgeInfiniteTokenizer tokenizer, int tokens, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 2);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        var ids = new List<int>(Math.Min(tokens, 1 << 16));
        var assistant = new List<bool>(ids.Capacity);
        int documents = 0;
        var buffer = new StringBuilder();
        var block = new char[1 << 16];
        using var reader = new StreamReader(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: true);
        bool final = false;
        while (ids.Count < tokens && !final)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = reader.Read(block, 0, block.Length);
            final = read == 0;
            buffer.Append(block, 0, read);
            while (ids.Count < tokens && TakeDocument(buffer, final) is { } document)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var encoded = Encode(document, encoder, tokenizer);
                ids.AddRange(encoded.Ids);
                assistant.AddRange(encoded.Targets);
                documents++;
            }
        }

        if (ids.Count < 2)
        {
            throw new InvalidDataException($"Data file '{path}' holds {ids.Count} token(s); at least two are needed to score one.");
        }

        return new LossText([.. ids.Take(tokens)], [.. assistant.Take(tokens)], documents, Path.GetFileName(path), seed: null);
    }

    /// <summary>Parses text that is exactly a sequence of ChatML messages (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>…).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The messages, or <see langword="null"/> when the text is anything else.</returns>
    internal static List<ChatTemplateMessage>? ParseChatMl(string text)
    {
        var messages = new List<ChatTemplateMessage>();
        int pos = 0;
        while (pos < text.Length)
        {
            if (string.CompareOrdinal(text, pos, ChatMlTemplate.ImStart, 0, ChatMlTemplate.ImStart.Length) != 0)
            {
                return null;
            }

            pos += ChatMlTemplate.ImStart.Length;
            int newline = text.IndexOf('\n', pos);
            int end = newline < 0 ? -1 : text.IndexOf(ChatMlTemplate.ImEnd, newline + 1, StringComparison.Ordinal);
            if (end < 0 || end + ChatMlTemplate.ImEnd.Length >= text.Length || text[end + ChatMlTemplate.ImEnd.Length] != '\n')
            {
                return null;
            }

            messages.Add(new ChatTemplateMessage(text[pos..newline], text[(newline + 1)..end]));
            pos = end + ChatMlTemplate.ImEnd.Length + 1;
        }

        return messages.Count > 0 ? messages : null;
    }

    /// <summary>Takes the next document (with its separator and the newline after it) off the buffer, or null when more input is needed.</summary>
    private static string? TakeDocument(StringBuilder buffer, bool final)
    {
        if (buffer.Length == 0)
        {
            return null;
        }

        string text = buffer.ToString();
        int separator = text.IndexOf(ChatMlTemplate.EndOfText, StringComparison.Ordinal);
        int end;
        if (separator >= 0 && separator <= MaxDocumentChars)
        {
            end = separator + ChatMlTemplate.EndOfText.Length;
            if (end == text.Length && !final)
            {
                return null; // the newline that may follow is not read yet
            }

            end += end < text.Length && text[end] == '\n' ? 1 : 0;
        }
        else if (text.Length > MaxDocumentChars)
        {
            end = char.IsHighSurrogate(text[MaxDocumentChars - 1]) ? MaxDocumentChars - 1 : MaxDocumentChars;
        }
        else if (final)
        {
            end = text.Length;
        }
        else
        {
            return null;
        }

        buffer.Remove(0, end);
        return text[..end];
    }

    private static EncodedSample Encode(string document, SampleEncoder? encoder, EdgeInfiniteTokenizer tokenizer)
    {
        const string Suffix = ChatMlTemplate.EndOfText + "\n";
        if (encoder is not null && document.EndsWith(Suffix, StringComparison.Ordinal) && ParseChatMl(document[..^Suffix.Length]) is { } messages)
        {
            return encoder.Encode(messages, []);
        }

        int[] ids = tokenizer.Encode(document);
        return new EncodedSample(ids, new bool[ids.Length], new bool[ids.Length]);
    }
}
