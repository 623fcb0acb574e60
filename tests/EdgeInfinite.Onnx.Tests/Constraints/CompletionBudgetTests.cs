using System.Text;
using System.Text.Json;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.Onnx.Tests.Constraints;

/// <summary>The bytes-to-completion bound and the budget-aware mask: a document a budget could finish is never cut.</summary>
public sealed class CompletionBudgetTests
{
    private static readonly JsonElement s_trip = JsonDocument.Parse("""
        {"type":"object","properties":{"destination":{"type":"string"},"days":{"type":"integer"},"sights":{"type":"array","items":{"type":"string"},"minItems":2},
         "hotel":{"type":"object","properties":{"name":{"type":"string"},"stars":{"enum":[3,4,5]}},"required":["name","stars"]},"note":{"type":["string","null"]}},
         "required":["destination","days","sights","hotel"]}
        """).RootElement;

    public static TheoryData<string, string> Documents => new()
    {
        { "trip", """{"destination":"Rome","days":12,"sights":["a\u00e9","b€"],"hotel":{"stars":4,"name":"X"},"note":null}""" },
        { "any", """[{"a":{"b":[1.5e3,"x\\n",true]}},null,"😀"]""" },
        { "calls", "<tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>" },
    };

    private static JsonGrammar Grammar(string kind) => kind switch
    {
        "trip" => JsonGrammar.FromSchema(s_trip),
        "any" => JsonGrammar.AnyValue(),
        _ => JsonGrammar.TaggedCalls(
            [new("\n{\"name\":\"get_weather\",\"arguments\":", JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""").RootElement, "}\n")],
            "<tool_call>", "</tool_call>", "\n", required: true),
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void MinBytesToComplete_EveryPrefix_ReachedByAShortestByteByByteCompletion(string kind, string document)
    {
        var grammar = Grammar(kind);
        var vocabulary = TestVocabularies.Mixed;
        byte[] bytes = Encoding.UTF8.GetBytes(document);
        for (int at = 0; at <= bytes.Length; at++)
        {
            var matcher = new GrammarMatcher(grammar, vocabulary);
            Assert.True(matcher.TryAccept(bytes.AsSpan(0, at)));
            int need = matcher.MinBytesToComplete;
            Assert.Equal(need == 0, matcher.IsComplete);
            var completion = new List<byte>();
            for (int step = 0; step < need; step++)
            {
                // Some single byte must bring the bound down by exactly one.
                int before = matcher.MinBytesToComplete;
                int found = -1;
                for (int b = 0; b < 256 && found < 0; b++)
                {
                    var probe = new GrammarMatcher(grammar, vocabulary);
                    probe.TryAccept(bytes.AsSpan(0, at));
                    probe.TryAccept([.. completion]);
                    if (probe.TryAccept([(byte)b]) && probe.MinBytesToComplete == before - 1)
                    {
                        found = b;
                    }
                }

                Assert.True(found >= 0, $"{kind}: no byte completes '{Encoding.UTF8.GetString(bytes, 0, at)}{Encoding.UTF8.GetString([.. completion])}' (bound {before})");
                completion.Add((byte)found);
                Assert.True(matcher.TryAccept([(byte)found]));
            }

            Assert.True(matcher.IsComplete, $"{kind}: '{Encoding.UTF8.GetString(bytes, 0, at)}{Encoding.UTF8.GetString([.. completion])}' is not complete after {need} bytes");
            if (kind != "calls")
            {
                using var _ = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 0, at) + Encoding.UTF8.GetString([.. completion]));
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    public void ComputeMask_WithBudget_AllowsExactlyTheTokensThatStillFit(int tokensLeft)
    {
        var grammar = Grammar("trip");
        var vocabulary = TestVocabularies.Mixed;
        byte[] bytes = Encoding.UTF8.GetBytes("""{"destination":"Rome","days":12,"sights":["ab","c""");
        var mask = new ulong[(vocabulary.Count + 63) / 64];
        for (int at = 0; at <= bytes.Length; at++)
        {
            var matcher = new GrammarMatcher(grammar, vocabulary);
            matcher.TryAccept(bytes.AsSpan(0, at));
            matcher.ComputeMask(mask, tokensLeft);
            for (int id = 0; id < vocabulary.Count; id++)
            {
                var probe = new GrammarMatcher(grammar, vocabulary);
                probe.TryAccept(bytes.AsSpan(0, at));
                int need = matcher.MinBytesToComplete;
                int limit = need > tokensLeft - 1 && need > 0 ? need - 1 : tokensLeft - 1;
                bool expected = probe.TryAccept(id) && probe.MinBytesToComplete <= limit;
                Assert.True(expected == ((mask[id >> 6] & (1UL << id)) != 0), $"at {at}, token {id}, budget {tokensLeft}");
            }
        }
    }

    [Fact]
    public void Apply_BudgetTooSmallForTheShortestDocument_OnlyTokensThatMakeProgress()
    {
        var vocabulary = TestVocabularies.Mixed;
        var matcher = new GrammarMatcher(Grammar("trip"), vocabulary);
        var logits = new float[vocabulary.Count];
        Assert.True(matcher.TryAccept("{\"destination\":\"R"));

        matcher.Apply(logits, [TestVocabularies.Stop], tokensLeft: 2);

        Assert.Equal(0f, logits['"']);
        Assert.Equal(float.NegativeInfinity, logits['a']);
        Assert.Equal(float.NegativeInfinity, logits[TestVocabularies.Stop]);
    }
}
