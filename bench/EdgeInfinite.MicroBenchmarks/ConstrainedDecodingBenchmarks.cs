using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.MicroBenchmarks;

/// <summary>
/// The cost of constrained decoding per decoded token: for each token of a realistic output, the token mask
/// (computed from the matcher and the vocabulary's byte trie), applied to a logits row, then the matcher advanced by
/// the token. On the embedded model's vocabulary (1,386 ids) and a synthetic byte-level one of Qwen2.5's size
/// (151,936 ids). Compare with <see cref="RealisticDecodeBenchmarks"/> (one decode step at that vocabulary size).
/// </summary>
[MemoryDiagnoser]
public class ConstrainedDecodingBenchmarks
{
    private static readonly JsonElement s_trip = JsonDocument.Parse("""
        {"type":"object","properties":{"destination":{"type":"string"},"days":{"type":"integer"},"byTrain":{"type":"boolean"},
         "expected":{"type":"string","enum":["Sunny","Rainy","Windy"]},"sights":{"type":"array","items":{"type":"string"}},
         "hotel":{"type":"object","properties":{"name":{"type":"string"},"stars":{"type":"integer"}},"required":["name","stars"]}},
         "required":["destination","days","byTrain","expected","sights","hotel"],"additionalProperties":false}
        """).RootElement;

    private static readonly JsonElement s_weather = JsonDocument.Parse("""
        {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}
        """).RootElement;

    private const string TripDocument = """{"destination":"Rome, the eternal city","days":12,"byTrain":true,"expected":"Sunny","sights":["the Colosseum","Trevi Fountain","Piazza Navona"],"hotel":{"name":"Hotel Artemide near Via Nazionale","stars":4}}""";

    private const string CallDocument = "Let me check the weather for you. <tool_call>\n{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"days\":2}}\n</tool_call>";

    private JsonGrammar _grammar = null!;
    private TokenVocabulary _vocabulary = null!;
    private int[] _tokens = [];
    private float[] _logits = [];
    private int[] _stops = [];

    [Params("default", "synthetic-151936")]
    public string Vocabulary { get; set; } = "default";

    [Params("json-schema", "tool-call-auto")]
    public string Output { get; set; } = "json-schema";

    /// <summary>Gets the tokens of the output (the benchmark reports time per token).</summary>
    public int Tokens => _tokens.Length;

    [GlobalSetup]
    public void Setup()
    {
        string document = Output == "json-schema" ? TripDocument : CallDocument;
        _grammar = Output == "json-schema"
            ? JsonGrammar.FromSchema(s_trip)
            : JsonGrammar.TaggedCalls([new("\n{\"name\":\"get_weather\",\"arguments\":", s_weather, "}\n"), new("\n{\"name\":\"get_time\",\"arguments\":", s_weather, "}\n")], "<tool_call>", "</tool_call>", "\n", required: false);
        if (Vocabulary == "default")
        {
            _vocabulary = TokenVocabulary.FromTokenizerJson(Path.Combine(AppContext.BaseDirectory, "model", "tokenizer.json"));
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int id = 0; id < _vocabulary.Count; id++)
            {
                var bytes = _vocabulary.GetBytes(id);
                if (!bytes.IsEmpty)
                {
                    ids.TryAdd(Encoding.Latin1.GetString(bytes), id);
                }
            }

            _tokens = SyntheticByteVocabulary.Tokenize(document, ids);
            _stops = [2, 0];
        }
        else
        {
            var (vocabulary, ids) = SyntheticByteVocabulary.Build(151_936);
            _vocabulary = vocabulary;
            _tokens = SyntheticByteVocabulary.Tokenize(document, ids);
            _stops = [vocabulary.Count - 1];
        }

        _logits = new float[_vocabulary.Count];
        Console.WriteLine($"// {Vocabulary} / {Output}: {_tokens.Length} tokens, {_vocabulary.ProducibleCount} producible ids");

        // Build the vocabulary's tries and masks once (per model, as the engine does) and check the replay is valid.
        var check = new GrammarMatcher(_grammar, _vocabulary);
        foreach (int token in _tokens)
        {
            Array.Clear(_logits);
            check.Apply(_logits, _stops, 512);
            if (float.IsNegativeInfinity(_logits[token]) || !check.TryAccept(token))
            {
                throw new InvalidOperationException($"Token {token} of the replay is not allowed.");
            }
        }
    }

    [Benchmark(Description = "mask + advance, per token")]
    public int MaskPerToken()
    {
        var matcher = new GrammarMatcher(_grammar, _vocabulary);
        int budget = 512;
        foreach (int token in _tokens)
        {
            matcher.Apply(_logits, _stops, budget--);
            matcher.TryAccept(token);
        }

        return budget;
    }
}
