using System.Text;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>
/// GPT-2's reversible byte-to-unicode mapping (<see cref="ByteLevelEncoding"/>) (Hugging Face's <c>ByteLevel</c> pre-tokenizer): every byte maps to a
/// printable character, so a byte-level vocabulary is a set of ordinary strings (the space byte is <c>Ġ</c>).
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] s_byteToChar = [.. Enumerable.Range(0, 256).Select(b => ByteLevelEncoding.ToChar((byte)b))];
    private static readonly Dictionary<char, byte> s_charToByte = BuildCharToByte();

    /// <summary>Gets the 256 byte characters in code-point order (the order Hugging Face's trainer gives them ids).</summary>
    public static IReadOnlyList<char> SortedCharacters { get; } = s_byteToChar.Order().ToArray();

    /// <summary>Maps one byte to its character.</summary>
    /// <param name="value">The byte.</param>
    /// <returns>The character.</returns>
    public static char ToChar(byte value) => s_byteToChar[value];

    /// <summary>Maps text to its byte-level string (UTF-8 bytes, one character each).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The byte-level string.</returns>
    public static string Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        return string.Create(bytes.Length, bytes, static (span, b) =>
        {
            for (int i = 0; i < b.Length; i++)
            {
                span[i] = s_byteToChar[b[i]];
            }
        });
    }

    /// <summary>Maps byte-level characters back to their bytes.</summary>
    /// <param name="symbols">The byte-level string.</param>
    /// <param name="output">Receives the bytes.</param>
    /// <exception cref="ArgumentException">A character is not in the alphabet.</exception>
    public static void Decode(string symbols, List<byte> output)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(output);
        foreach (char c in symbols)
        {
            output.Add(s_charToByte.TryGetValue(c, out byte b) ? b : throw new ArgumentException($"'{c}' (U+{(int)c:X4}) is not a byte-level character.", nameof(symbols)));
        }
    }

    private static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++)
        {
            map[s_byteToChar[b]] = (byte)b;
        }

        return map;
    }
}
