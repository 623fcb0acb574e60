namespace EdgeInfinite.Onnx.Tokenization;

/// <summary>
/// GPT-2's reversible byte-to-character mapping (Hugging Face's <c>ByteLevel</c> pre-tokenizer and decoder): every
/// byte maps to a printable character, so a byte-level vocabulary is a set of ordinary strings (the space byte is <c>Ġ</c>).
/// </summary>
public static class ByteLevelEncoding
{
    private static readonly char[] s_byteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> s_charToByte = Enumerable.Range(0, 256).ToDictionary(b => s_byteToChar[b], b => (byte)b);

    /// <summary>Maps one byte to its character.</summary>
    /// <param name="value">The byte.</param>
    /// <returns>The character.</returns>
    public static char ToChar(byte value) => s_byteToChar[value];

    /// <summary>Maps a byte-level character back to its byte.</summary>
    /// <param name="symbol">The character.</param>
    /// <param name="value">The byte.</param>
    /// <returns>Whether the character belongs to the alphabet.</returns>
    public static bool TryGetByte(char symbol, out byte value) => s_charToByte.TryGetValue(symbol, out value);

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var direct = new bool[256];
        foreach (var (from, to) in new[] { ('!', '~'), ('¡', '¬'), ('®', 'ÿ') })
        {
            for (int b = from; b <= to; b++)
            {
                direct[b] = true;
                map[b] = (char)b;
            }
        }

        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            if (!direct[b])
            {
                map[b] = (char)(256 + n++);
            }
        }

        return map;
    }
}
