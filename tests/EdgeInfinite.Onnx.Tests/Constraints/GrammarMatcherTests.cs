using System.Text;
using System.Text.Json;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.Onnx.Tests.Constraints;

public sealed class GrammarMatcherTests
{
    private static readonly JsonElement s_weather = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}""").RootElement;
    private static readonly JsonElement s_time = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement;

    public static TheoryData<string, string> MaskCases => new()
    {
        { "any", "{\"a\":[1,\"é€😀\\n\\u00e9\",true,null],\"b\":{}}" },
        { "schema", "{\"name\":\"x\\\"y\",\"age\":12,\"tags\":[\"a\",\"b\"],\"mood\":\"Calm\"}" },
        { "auto", "Sure <tool <tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call> done" },
        { "auto", "x </tool_ca y </<tool_call>\n{\"name\":\"get_time\",\"arguments\":{}}\n</tool_call>\n</" },
        { "required", "<tool_call>\n{\"name\":\"get_time\",\"arguments\":{}}\n</tool_call>\n<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"days\":2,\"city\":\"x\"}}\n</tool_call>" },
    };

    private static JsonGrammar Grammar(string kind) => kind switch
    {
        "any" => JsonGrammar.AnyValue(),
        "schema" => JsonGrammar.FromSchema(JsonDocument.Parse("""
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"tags":{"type":"array","items":{"type":"string"}},
             "mood":{"enum":["Calm","Angry"]}},"required":["name","age"],"additionalProperties":false}
            """).RootElement),
        "auto" => Calls(required: false),
        _ => Calls(required: true),
    };

    private static JsonGrammar Calls(bool required) => JsonGrammar.TaggedCalls(
        [new("\n{\"name\":\"get_weather\",\"arguments\":", s_weather, "}\n"), new("\n{\"name\":\"get_time\",\"arguments\":", s_time, "}\n")],
        "<tool_call>", "</tool_call>", "\n", required);

    [Theory]
    [MemberData(nameof(MaskCases))]
    public void ComputeMask_AlongADocument_EqualsTokenByTokenSimulation(string kind, string document)
    {
        // The trie walk and its fast paths (open string, free text) must allow exactly the tokens that a fresh
        // matcher accepts one by one, at every byte of the document.
        var vocabulary = TestVocabularies.Mixed;
        var grammar = Grammar(kind);
        byte[] bytes = Encoding.UTF8.GetBytes(document);
        var mask = new ulong[(vocabulary.Count + 63) / 64];
        for (int at = 0; at <= bytes.Length; at++)
        {
            var matcher = new GrammarMatcher(grammar, vocabulary);
            Assert.True(matcher.TryAccept(bytes.AsSpan(0, at)), $"prefix of {at} bytes");
            matcher.ComputeMask(mask);
            for (int id = 0; id < vocabulary.Count; id++)
            {
                var probe = new GrammarMatcher(grammar, vocabulary);
                probe.TryAccept(bytes.AsSpan(0, at));
                bool expected = probe.TryAccept(id);
                bool actual = (mask[id >> 6] & (1UL << id)) != 0;
                Assert.True(expected == actual, $"{kind} at byte {at}: token {id} ('{Encoding.UTF8.GetString(vocabulary.GetBytes(id))}') simulated {expected}, mask {actual}");
            }
        }
    }

    [Fact]
    public void Apply_IncompleteDocument_StopTokenMaskedUntilComplete()
    {
        var vocabulary = TestVocabularies.Mixed;
        var matcher = new GrammarMatcher(JsonGrammar.AnyValue(), vocabulary);
        var logits = new float[vocabulary.Count + 3];

        matcher.Apply(logits, [TestVocabularies.Stop]);
        Assert.Equal(float.NegativeInfinity, logits[TestVocabularies.Stop]);
        Assert.Equal(0f, logits['{']);
        Assert.Equal(float.NegativeInfinity, logits['}']);
        Assert.Equal(float.NegativeInfinity, logits[^1]);

        Assert.True(matcher.TryAccept("[1]"));
        Array.Clear(logits);
        matcher.Apply(logits, [TestVocabularies.Stop]);
        Assert.Equal(0f, logits[TestVocabularies.Stop]);
        Assert.All(Enumerable.Range(0, 256), id => Assert.Equal(float.NegativeInfinity, logits[id]));
    }

    [Fact]
    public void TryAccept_PartialUtf8Tokens_CompleteTheCharacterAcrossTokens()
    {
        var vocabulary = TestVocabularies.Mixed;
        var matcher = new GrammarMatcher(JsonGrammar.FromSchema(JsonDocument.Parse("""{"type":"string"}""").RootElement), vocabulary);
        int head = vocabulary.Count - 4;

        Assert.True(matcher.TryAccept("\""));
        Assert.True(matcher.TryAccept(head));
        Assert.False(matcher.TryAccept('"'));
        Assert.True(matcher.TryAccept(head + 1));
        Assert.True(matcher.TryAccept(head + 2));
        Assert.True(matcher.TryAccept(head + 3));
        Assert.True(matcher.IsComplete);
    }

    [Fact]
    public void TaggedCalls_Required_OnlyOfferedNamesAndValidArguments()
    {
        var grammar = Calls(required: true);
        var matcher = new GrammarMatcher(grammar, TestVocabularies.Mixed);

        Assert.False(new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept("Hello"));
        Assert.False(new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept("<tool_call>\n{\"name\":\"get_date\""));
        Assert.False(new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept("<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"days\":1}}"));
        Assert.False(matcher.IsComplete);
        Assert.True(matcher.TryAccept("<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>"));
        Assert.True(matcher.IsComplete);
        Assert.False(matcher.IsFinished);
        Assert.True(matcher.TryAccept("\n<tool_call>\n{\"name\":\"get_time\",\"arguments\":{}}\n</tool_call>"));
        Assert.True(matcher.IsComplete);
        Assert.False(matcher.TryAccept(" trailing text"));
    }

    [Fact]
    public void TaggedCalls_Auto_FreeTextUntilTagThenConstrained()
    {
        var grammar = Calls(required: false);
        var matcher = new GrammarMatcher(grammar, TestVocabularies.Mixed);

        Assert.True(matcher.TryAccept("Any text, even <tool or </tool_cal> or {\"json\"}. "));
        Assert.False(new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept("a stray </tool_call>"));
        Assert.True(matcher.IsComplete);
        Assert.True(matcher.TryAccept("<tool_call>"));
        Assert.False(matcher.IsComplete);
        Assert.False(new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept("<tool_call>\n{\"name\":\"Clock_get_time\""));
        Assert.False(new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept("<tool_call>\n{\"name\":\"Delhi."));
        Assert.True(matcher.TryAccept("\n{\"name\":\"get_time\",\"arguments\":{}}\n</tool_call>"));
        Assert.True(matcher.IsComplete);
        Assert.True(matcher.TryAccept(" and more text"));
        Assert.True(matcher.IsComplete);
    }

    [Fact]
    public void TaggedCalls_OpenTagSplitAcrossTokens_StartsTheCall()
    {
        var vocabulary = TestVocabularies.Mixed;
        var matcher = new GrammarMatcher(Calls(required: false), vocabulary);
        int tool = Array.IndexOf(TestVocabularies.Pieces, "<tool") + TestVocabularies.Stop + 1;

        Assert.True(matcher.TryAccept(tool));
        Assert.True(matcher.TryAccept(tool + 1));
        Assert.False(matcher.IsComplete);
        Assert.False(matcher.TryAccept("x"));
    }
}
