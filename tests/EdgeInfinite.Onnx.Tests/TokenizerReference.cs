using System.Text.Json;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>The HF tokenizers reference for the fixture tokenizer (fixtures/tokenizer, see fixtures/README.md).</summary>
public sealed class TokenizerReference
{
    private TokenizerReference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "reference.json")));
        var r = doc.RootElement;
        Samples = r.GetProperty("encodings").EnumerateArray()
            .Select(e => new TokenizerSample(
                e.GetProperty("text").GetString()!,
                e.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
                e.GetProperty("decoded").GetString()!))
            .ToArray();
        Conversation = r.GetProperty("conversation").EnumerateArray()
            .Select(m => new ChatTemplateMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToArray();
        Rendered = r.GetProperty("rendered").GetString()!;

        using var tokenizer = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Directory, "tokenizer.json")));
        SpecialTokens = tokenizer.RootElement.GetProperty("added_tokens").EnumerateArray()
            .Where(t => t.GetProperty("special").GetBoolean())
            .Select(t => t.GetProperty("content").GetString()!)
            .ToArray();
    }

    public static string Directory => Path.Combine(HfFixture.Root, "tokenizer");

    public IReadOnlyList<TokenizerSample> Samples { get; }

    public IReadOnlyList<ChatTemplateMessage> Conversation { get; }

    /// <summary>Gets <c>apply_chat_template(Conversation, add_generation_prompt=True)</c>.</summary>
    public string Rendered { get; }

    /// <summary>Gets the contents of the added tokens marked special in tokenizer.json.</summary>
    public IReadOnlyList<string> SpecialTokens { get; }

    public static TokenizerReference Load() => new();

    public TokenizerSample Sample(string text) => Samples.Single(s => s.Text == text);

    /// <summary>
    /// HF's decoded text as ONNX Runtime GenAI decodes it: GenAI drops special tokens, so every special token's text
    /// is removed (nothing put in its place; surrounding text is untouched).
    /// </summary>
    /// <param name="sample">The sample.</param>
    /// <returns>The expected GenAI decoding.</returns>
    public string DecodedWithoutSpecialTokens(TokenizerSample sample) =>
        SpecialTokens.Aggregate(sample.Decoded, (text, special) => text.Replace(special, string.Empty, StringComparison.Ordinal));
}
