using System.Text.RegularExpressions;

namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>
/// GPT-2's pre-tokenization split (Hugging Face <c>ByteLevel</c> with <c>use_regex: true</c>): contractions, letter
/// runs, digit runs and punctuation runs each with an optional leading space, and whitespace runs. Merges never cross
/// these pieces. Letters and digits outside the Basic Multilingual Plane count as punctuation here (.NET regex works on
/// UTF-16), which only shifts a boundary for such characters.
/// </summary>
public static partial class PreTokenizer
{
    /// <summary>Splits text into pre-tokens.</summary>
    /// <param name="text">The text (without special tokens).</param>
    /// <returns>The pieces, in order; their concatenation is the text.</returns>
    public static IEnumerable<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        for (var m = Gpt2Pattern().Match(text); m.Success; m = m.NextMatch())
        {
            yield return m.Value;
        }
    }

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Pattern();
}
