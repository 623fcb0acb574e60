using System.Text;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.MicroBenchmarks;

/// <summary>
/// A deterministic byte-level vocabulary of a large model's size (Qwen2.5's 151,936 ids): the 256 bytes, then words
/// with and without a leading space, capitals, digits, punctuation runs (quotes, braces, backslashes), whitespace
/// runs, accented, Cyrillic and CJK text, pieces of UTF-8 characters, code-like pieces; the last 3 ids are special.
/// </summary>
public static class SyntheticByteVocabulary
{
    private const string Punctuation = "{}[]\":,.;!?()<>/\\-_=+*'#@&%|`~";
    private static readonly string[] s_syllables = ["a", "e", "i", "o", "u", "ba", "ca", "de", "fi", "go", "ha", "in", "jo", "ka", "le", "ma", "ne", "on", "pa", "qu", "re", "st", "th", "er", "an", "ing", "tion", "al", "ou", "ch", "sh", "pr", "ex", "un", "ly"];
    private static readonly string[] s_accented = ["é", "è", "ü", "ö", "ñ", "ç", "å", "ø", "ß", "à"];
    private const string Cyrillic = "абвгдежзиклмнопрстуфхцчшщыэюя";

    /// <summary>Builds the vocabulary.</summary>
    /// <param name="size">The number of ids.</param>
    /// <returns>The token bytes (special ids have none) and the bytes → id map of the others.</returns>
    public static (TokenVocabulary Vocabulary, Dictionary<string, int> Ids) Build(int size)
    {
        var random = new Random(42);
        var tokens = new List<byte[]?>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        void Add(byte[] bytes)
        {
            string key = Encoding.Latin1.GetString(bytes);
            if (ids.TryAdd(key, tokens.Count))
            {
                tokens.Add(bytes);
            }
        }

        for (int b = 0; b < 256; b++)
        {
            Add([(byte)b]);
        }

        while (tokens.Count < size - 3)
        {
            int kind = random.Next(100);
            string text = kind switch
            {
                < 35 => " " + Word(random),
                < 55 => Word(random),
                < 63 => " " + Capital(Word(random)),
                < 68 => random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture),
                < 75 => new string([.. Enumerable.Range(0, random.Next(1, 5)).Select(_ => Punctuation[random.Next(Punctuation.Length)])]),
                < 80 => random.Next(3) switch { 0 => new string('\n', random.Next(1, 4)), 1 => new string(' ', random.Next(2, 17)), _ => new string('\t', random.Next(1, 4)) },
                < 85 => (random.Next(2) == 0 ? " " : string.Empty) + Word(random) + s_accented[random.Next(s_accented.Length)] + Word(random),
                < 89 => (random.Next(2) == 0 ? " " : string.Empty) + new string([.. Enumerable.Range(0, random.Next(2, 8)).Select(_ => Cyrillic[random.Next(Cyrillic.Length)])]),
                < 94 => new string([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => (char)random.Next(0x4E00, 0x9FA5))]),
                < 96 => string.Empty,
                _ => (random.Next(3) switch { 0 => "_", 1 => ".", _ => "(" }) + Word(random) + (random.Next(2) == 0 ? "()" : string.Empty),
            };

            if (text.Length == 0)
            {
                // Part of a character: the first one or two bytes of a CJK character or an emoji, or a tail.
                byte[] whole = Encoding.UTF8.GetBytes(char.ConvertFromUtf32(random.Next(2) == 0 ? random.Next(0x4E00, 0x9FA5) : random.Next(0x1F600, 0x1F64F)));
                int cut = random.Next(1, whole.Length);
                Add(random.Next(2) == 0 ? whole[..cut] : whole[cut..]);
                continue;
            }

            Add(Encoding.UTF8.GetBytes(text));
        }

        tokens.AddRange([null, null, null]);
        return (new TokenVocabulary(tokens), ids);
    }

    /// <summary>Splits bytes into tokens by greedy longest match (every single byte is a token).</summary>
    public static int[] Tokenize(string text, Dictionary<string, int> ids)
    {
        string bytes = Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));
        var result = new List<int>();
        for (int at = 0; at < bytes.Length;)
        {
            for (int length = Math.Min(24, bytes.Length - at); length > 0; length--)
            {
                if (ids.TryGetValue(bytes.Substring(at, length), out int id))
                {
                    result.Add(id);
                    at += length;
                    break;
                }
            }
        }

        return [.. result];
    }

    private static string Word(Random random) => string.Concat(Enumerable.Range(0, random.Next(1, 4)).Select(_ => s_syllables[random.Next(s_syllables.Length)]));

    private static string Capital(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
