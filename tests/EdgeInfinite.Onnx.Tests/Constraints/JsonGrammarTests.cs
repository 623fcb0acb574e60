using System.Text;
using System.Text.Json;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.Onnx.Tests.Constraints;

public sealed class JsonGrammarTests
{
    private static readonly JsonGrammarOptions s_loose = new() { MaxWhitespaceRun = 64, MaxNumberDigits = 64, MaxIntegerDigits = 18 };

    private static GrammarMatcher Matcher(JsonGrammar grammar) => new(grammar, TestVocabularies.Mixed);

    private static bool Matches(JsonGrammar grammar, string text)
    {
        var matcher = Matcher(grammar);
        return matcher.TryAccept(text) && matcher.IsComplete;
    }

    private static bool AcceptsPrefix(JsonGrammar grammar, string text) => Matcher(grammar).TryAccept(text);

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("0")]
    [InlineData("-0.5e+10")]
    [InlineData("123")]
    [InlineData("1E3")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("\"\"")]
    [InlineData("\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\"")]
    [InlineData("\"\\u00e9\\uFFFF\"")]
    [InlineData("\"é€😀 日本\"")]
    [InlineData(" { \"a\" : [ 1 , 2.5 , { \"b\" : null } ] , \"c\" : \"d\" }")]
    [InlineData("[[[[]]],{}]")]
    public void AnyValue_ValidDocument_MatchesAndIsComplete(string text)
    {
        Assert.True(Matches(JsonGrammar.AnyValue(s_loose), text));
        using var _ = JsonDocument.Parse(text);
    }

    [Theory]
    [InlineData("{,}")]
    [InlineData("[1,]")]
    [InlineData("01")]
    [InlineData("-")]
    [InlineData("1.")]
    [InlineData("1e")]
    [InlineData(".5")]
    [InlineData("+1")]
    [InlineData("tru e")]
    [InlineData("nul")]
    [InlineData("\"a")]
    [InlineData("\"\\x\"")]
    [InlineData("\"\\u12G4\"")]
    [InlineData("\"\\uD83D\\uDE00\"")]
    [InlineData("\"a\nb\"")]
    [InlineData("{\"a\" 1}")]
    [InlineData("{\"a\":1 \"b\":2}")]
    [InlineData("[1 2]")]
    [InlineData("{} {}")]
    [InlineData("1 ")]
    [InlineData("'a'")]
    public void AnyValue_InvalidOrIncompleteDocument_DoesNotMatch(string text)
    {
        Assert.False(Matches(JsonGrammar.AnyValue(s_loose), text));
    }

    [Fact]
    public void AnyValue_InvalidUtf8InString_Rejected()
    {
        var grammar = JsonGrammar.AnyValue();
        Assert.False(Matcher(grammar).TryAccept([(byte)'"', 0xC0, 0x80]));
        Assert.False(Matcher(grammar).TryAccept([(byte)'"', 0xED, 0xA0, 0x80]));
        Assert.False(Matcher(grammar).TryAccept([(byte)'"', 0xF5]));
        Assert.False(Matcher(grammar).TryAccept([(byte)'"', 0xE2, 0x41]));
        Assert.True(Matcher(grammar).TryAccept([(byte)'"', 0xE2, 0x82]));
    }

    [Fact]
    public void AnyValue_RandomTexts_AgreeWithSystemTextJson()
    {
        // Property test: a text the matcher completes parses; every prefix of a text that parses is accepted.
        const string Alphabet = "{}[]:,\"\\ 01-.e5tnrulfaséb";
        var random = new Random(11);
        var grammar = JsonGrammar.AnyValue(s_loose);
        int parsed = 0;
        for (int i = 0; i < 60_000; i++)
        {
            int length = random.Next(1, 14);
            var sb = new StringBuilder();
            for (int j = 0; j < length; j++)
            {
                sb.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            string text = sb.ToString().TrimEnd();
            bool valid = IsJson(text);
            bool matched = Matches(grammar, text);
            Assert.True(valid == matched, $"'{text}': System.Text.Json {valid}, matcher {matched}");
            if (valid)
            {
                parsed++;
                for (int cut = 1; cut < text.Length; cut++)
                {
                    Assert.True(AcceptsPrefix(grammar, text[..cut]), $"prefix '{text[..cut]}' of '{text}'");
                }
            }
        }

        Assert.True(parsed > 300, $"only {parsed} valid samples");
    }

    [Fact]
    public void AnyValue_WhitespaceRunAboveLimit_Rejected()
    {
        var grammar = JsonGrammar.AnyValue(new JsonGrammarOptions { MaxWhitespaceRun = 2 });
        Assert.True(Matches(grammar, "[  1,  2]"));
        Assert.False(AcceptsPrefix(grammar, "[   1"));
        Assert.False(AcceptsPrefix(JsonGrammar.AnyValue(new JsonGrammarOptions { MaxWhitespaceRun = 0 }), "{ "));
    }

    [Fact]
    public void AnyValue_NestingAboveLimit_Rejected()
    {
        var grammar = JsonGrammar.AnyValue(new JsonGrammarOptions { MaxNestingDepth = 3 });
        Assert.True(Matches(grammar, "[[[1]]]"));
        Assert.False(AcceptsPrefix(grammar, "[[[["));
    }

    [Fact]
    public void AnyValue_NumberDigitsAboveLimit_Rejected()
    {
        var grammar = JsonGrammar.AnyValue(new JsonGrammarOptions { MaxNumberDigits = 3 });
        Assert.True(Matches(grammar, "123.456e789"));
        Assert.False(AcceptsPrefix(grammar, "1234"));
        Assert.False(AcceptsPrefix(grammar, "1.1234"));
        Assert.False(AcceptsPrefix(grammar, "1e1234"));
    }

    [Fact]
    public void IsComplete_NumberAtRoot_CompleteButMayContinue()
    {
        var matcher = Matcher(JsonGrammar.AnyValue());
        Assert.True(matcher.TryAccept("12"));
        Assert.True(matcher.IsComplete);
        Assert.False(matcher.IsFinished);
        Assert.True(matcher.TryAccept("3"));
        Assert.False(matcher.TryAccept(" "));
    }

    [Fact]
    public void IsFinished_ObjectClosed_NothingMayFollow()
    {
        var matcher = Matcher(JsonGrammar.AnyValue());
        Assert.True(matcher.TryAccept("{\"a\":[1]}"));
        Assert.True(matcher.IsComplete);
        Assert.True(matcher.IsFinished);
        Assert.False(matcher.TryAccept("x"));
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
