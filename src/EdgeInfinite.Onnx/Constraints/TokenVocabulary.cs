using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// Every token's output bytes, as a constrained decoder needs them: byte-level BPE pieces mapped back to raw bytes
/// (so a token may hold half a UTF-8 character, or several characters), added tokens as their UTF-8 text, special
/// tokens as never producible. Built once per model (<see cref="EdgeInfiniteModel.Vocabulary"/>) with the tries and
/// masks the mask search reuses. Thread-safe.
/// </summary>
public sealed class TokenVocabulary
{
    private readonly byte[]?[] _tokens;
    private readonly Lazy<TokenTrie> _all;
    private readonly Lazy<(ulong[] Mask, TokenTrie Others)> _plainString;
    private readonly ConcurrentDictionary<byte, (ulong[] Mask, TokenTrie Others)> _withoutByte = new();

    /// <summary>Initializes a new instance of the <see cref="TokenVocabulary"/> class.</summary>
    /// <param name="tokens">Each token id's output bytes; <see langword="null"/> (or empty) for tokens that never appear in constrained output (special tokens).</param>
    public TokenVocabulary(IReadOnlyList<byte[]?> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = [.. tokens.Select(t => t is { Length: > 0 } ? (byte[])t.Clone() : null)];
        _all = new Lazy<TokenTrie>(() => TokenTrie.Build(_tokens, (_, _) => true), LazyThreadSafetyMode.ExecutionAndPublication);
        _plainString = new Lazy<(ulong[], TokenTrie)>(() => Split(IsPlainStringContent), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the number of token ids.</summary>
    public int Count => _tokens.Length;

    /// <summary>Gets the number of tokens that can appear in constrained output.</summary>
    public int ProducibleCount => _tokens.Count(t => t is not null);

    internal TokenTrie All => _all.Value;

    /// <summary>Gets the tokens that are plain string content (stay inside any JSON string) as a mask, and a trie of the others.</summary>
    internal (ulong[] Mask, TokenTrie Others) PlainString => _plainString.Value;

    /// <summary>Gets a token's bytes.</summary>
    /// <param name="id">The token id.</param>
    /// <returns>The bytes; empty for a token that never appears in constrained output.</returns>
    public ReadOnlySpan<byte> GetBytes(int id) => (uint)id < (uint)_tokens.Length ? _tokens[id] : default;

    /// <summary>Reads a Hugging Face <c>tokenizer.json</c>: byte-level BPE (GPT-2, Llama 3, Qwen) or SentencePiece-style BPE with byte fallback (Llama 2, Mistral).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="InvalidDataException">The file is not a tokenizer.json this reader understands; the message names the file and field.</exception>
    /// <exception cref="NotSupportedException">The tokenizer model is not BPE, or its pieces are neither byte-level nor byte-fallback.</exception>
    public static TokenVocabulary FromTokenizerJson(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        JsonDocument doc;
        try
        {
            // Size-checked before opening, like every file of a package: a pipe or a device is never opened.
            doc = JsonDocument.Parse(UntrustedFile.ReadAllBytes(path, UntrustedFile.MaxTokenizerBytes, "tokenizer.json"));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Tokenizer '{path}' is not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object ||
                !model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Tokenizer '{path}' has no 'model.vocab' object.");
            }

            string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "BPE";
            if (type != "BPE")
            {
                throw new NotSupportedException($"Tokenizer '{path}': 'model.type' = '{type}' is not supported by constrained decoding (BPE only).");
            }

            bool byteLevel = MentionsType(root, "pre_tokenizer", "ByteLevel") || MentionsType(root, "decoder", "ByteLevel");
            bool byteFallback = model.TryGetProperty("byte_fallback", out var fb) && fb.ValueKind == JsonValueKind.True;
            if (!byteLevel && !byteFallback)
            {
                throw new NotSupportedException($"Tokenizer '{path}': neither a ByteLevel 'pre_tokenizer'/'decoder' nor 'model.byte_fallback' is set, so token bytes cannot be told.");
            }

            var pieces = new Dictionary<int, byte[]?>();
            foreach (var entry in vocab.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                {
                    throw new InvalidDataException($"Tokenizer '{path}': 'model.vocab[\"{entry.Name}\"]' is not a token id.");
                }

                pieces[id] = byteLevel ? ByteLevelBytes(entry.Name, path) : FallbackBytes(entry.Name);
            }

            if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (var token in added.EnumerateArray())
                {
                    if (!token.TryGetProperty("id", out var idElement) || !idElement.TryGetInt32(out int id) || id < 0 ||
                        !token.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
                    {
                        throw new InvalidDataException($"Tokenizer '{path}': an 'added_tokens' entry has no valid 'id' and 'content'.");
                    }

                    bool special = token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
                    pieces[id] = special ? null : Encoding.UTF8.GetBytes(content.GetString()!);
                }
            }

            if (pieces.Count == 0)
            {
                throw new InvalidDataException($"Tokenizer '{path}': 'model.vocab' is empty.");
            }

            int count = pieces.Keys.Max() + 1;
            if (count > 4_000_000)
            {
                throw new InvalidDataException($"Tokenizer '{path}': token id {count - 1} is out of range.");
            }

            var tokens = new byte[]?[count];
            foreach (var (id, bytes) in pieces)
            {
                tokens[id] = bytes;
            }

            return new TokenVocabulary(tokens);
        }
    }

    /// <summary>Gets the tokens without a given byte as a mask, and a trie of the tokens with it (for free text watched for a tag).</summary>
    internal (ulong[] Mask, TokenTrie Others) WithoutByte(byte value) =>
        _withoutByte.GetOrAdd(value, v => Split(bytes => !bytes.AsSpan().Contains(v)));

    private (ulong[] Mask, TokenTrie Others) Split(Func<byte[], bool> inMask)
    {
        var mask = new ulong[(_tokens.Length + 63) / 64];
        for (int id = 0; id < _tokens.Length; id++)
        {
            if (_tokens[id] is { } bytes && inMask(bytes))
            {
                mask[id >> 6] |= 1UL << id;
            }
        }

        return (mask, TokenTrie.Build(_tokens, (id, _) => (mask[id >> 6] & (1UL << id)) == 0));
    }

    /// <summary>Whether a token keeps any JSON string open whatever its context: whole UTF-8 characters, no quote, backslash or control byte.</summary>
    private static bool IsPlainStringContent(byte[] bytes)
    {
        foreach (byte b in bytes)
        {
            if (b is < 0x20 or (byte)'"' or (byte)'\\')
            {
                return false;
            }
        }

        return Utf8.IsValid(bytes);
    }

    private static bool MentionsType(JsonElement root, string property, string type)
    {
        if (!root.TryGetProperty(property, out var element) || element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        if (element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type)
        {
            return true;
        }

        foreach (string list in new[] { "pretokenizers", "decoders" })
        {
            if (element.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array &&
                items.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object && i.TryGetProperty("type", out var it) && it.GetString() == type))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] ByteLevelBytes(string piece, string path)
    {
        var bytes = new byte[piece.Length];
        for (int i = 0; i < piece.Length; i++)
        {
            bytes[i] = ByteLevelEncoding.TryGetByte(piece[i], out byte b)
                ? b
                : throw new InvalidDataException($"Tokenizer '{path}': 'model.vocab' piece '{piece}' has '{piece[i]}' (U+{(int)piece[i]:X4}), which is not a byte-level character.");
        }

        return bytes;
    }

    private static byte[] FallbackBytes(string piece)
    {
        // SentencePiece pieces: "<0x0A>" is one raw byte, "▁" is a space.
        if (piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>' &&
            byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte value))
        {
            return [value];
        }

        return Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));
    }
}
