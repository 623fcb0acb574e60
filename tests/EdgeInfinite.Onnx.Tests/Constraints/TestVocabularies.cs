using System.Text;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.Onnx.Tests.Constraints;

/// <summary>Vocabularies for matcher tests: every single byte, a special token, and multi-byte pieces (partial UTF-8 included).</summary>
internal static class TestVocabularies
{
    /// <summary>The id of the special token (no bytes) used as the stop token.</summary>
    public const int Stop = 256;

    public static readonly string[] Pieces =
    [
        "{\"", "\":", "\",\"", "\"}", "true", "null", "false", "12", "3.5", "e-", " \"", "\\n", "\\u00", "abc", "é", "€", "😀", "<tool", "_call>", "<tool_call>\n{\"",
        "\n", "  ", "\"name", "\":\"", "get_weather", "get_", "weather\"", "city", "\",\"arguments\":{", "}}", "}\n</tool_call>", "<", ">", "[1,", "]",
    ];

    /// <summary>Gets 256 single bytes, the stop token, the pieces, and the pieces' UTF-8 split in halves (partial characters).</summary>
    public static TokenVocabulary Mixed { get; } = Build();

    private static TokenVocabulary Build()
    {
        var tokens = new List<byte[]?>();
        for (int b = 0; b < 256; b++)
        {
            tokens.Add([(byte)b]);
        }

        tokens.Add(null);
        foreach (string piece in Pieces)
        {
            tokens.Add(Encoding.UTF8.GetBytes(piece));
        }

        // Partial UTF-8: the first two bytes of '€' and '😀', and their tails.
        tokens.Add([0xE2, 0x82]);
        tokens.Add([0xAC]);
        tokens.Add([0xF0, 0x9F]);
        tokens.Add([0x98, 0x80, (byte)'"']);
        return new TokenVocabulary(tokens);
    }
}
