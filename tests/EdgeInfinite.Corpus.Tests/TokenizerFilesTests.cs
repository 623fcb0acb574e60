using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Tests;

/// <summary>The written files through ONNX Runtime GenAI 0.18's tokenizer (the engine's), against the managed encoder and the fixture.</summary>
public sealed class TokenizerFilesTests(TrainedTokenizer trained) : IClassFixture<TrainedTokenizer>
{
    private static readonly string s_fixture = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");

    public static TheoryData<string> DiverseTexts => new(
        "Hello, world!",
        "My pet's name is Luna. What did I tell you my pet's name was?",
        "  leading spaces and\ttabs\n\nnewlines   ",
        "def f(x):\n    return x * 2  # comment",
        "Unicode: café naïve über — “quotes” Ærøskøbing",
        "CJK 你好，世界 and 日本語のテキスト",
        "emoji 😀🚀 end 👩‍👩‍👧 flags 🇯🇵",
        "numbers 1234567890 3.14159 -42 1e-9",
        "JSON {\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}",
        "I'm sure they'll say it's fine, we've done it, you'd agree",
        "Zalgo t̶̢e̷x̸t and Greek αβγ and Cyrillic Привет",
        "x");

    [Theory]
    [MemberData(nameof(DiverseTexts))]
    public void GenAiEncodeDecode_DiverseText_Lossless(string text)
    {
        int[] ids = trained.GenAi.Encode(text);

        Assert.Equal(text, trained.GenAi.Decode(ids));
        Assert.All(ids, id => Assert.InRange(id, 0, trained.Model.VocabSize - 1));
    }

    [Theory]
    [MemberData(nameof(DiverseTexts))]
    public void ManagedEncode_DiverseText_EqualsGenAiIds(string text)
    {
        int[] ids = trained.Managed.Encode(text);

        Assert.Equal(trained.GenAi.Encode(text), ids);
        Assert.Equal(text, trained.Managed.Decode(ids));
    }

    [Fact]
    public void ManagedEncode_CorpusSamples_EqualsGenAiIdsAndRoundTrips()
    {
        foreach (var sample in new SyntheticCorpus(new CorpusOptions { Seed = 77 }).Samples(15))
        {
            int[] ids = trained.GenAi.Encode(sample.Text);

            Assert.Equal(ids, trained.Managed.Encode(sample.Text));
            Assert.Equal(sample.Text, trained.Managed.Decode(ids, skipSpecialTokens: false));
        }
    }

    [Fact]
    public void GenAiDecode_ToolCallAndChatMarkup_KeepsToolCallDropsSpecialTokens()
    {
        string text = "<|im_start|>assistant\n<tool_call>\n{\"name\":\"get_time\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call><|im_end|>\n";
        int[] ids = trained.GenAi.Encode(text);

        string decoded = trained.GenAi.Decode(ids);

        Assert.Equal(1, ids.Count(id => id == 1));
        Assert.Equal(1, ids.Count(id => id == 2));
        Assert.Equal(1, ids.Count(id => id == 3));
        Assert.Equal(1, ids.Count(id => id == 4));
        Assert.Equal("assistant\n<tool_call>\n{\"name\":\"get_time\",\"arguments\":{\"city\":\"Oslo\"}}\n</tool_call>\n", decoded);
    }

    [Fact]
    public void GenAiStreamDecode_ToolCall_EmitsTagsWhole()
    {
        int[] ids = trained.GenAi.Encode("<tool_call>\n{\"name\":\"get_weather\"}\n</tool_call>");
        using var decoder = trained.GenAi.CreateDecoder();

        string text = string.Concat(ids.Select(decoder.Next));

        Assert.Equal("<tool_call>\n{\"name\":\"get_weather\"}\n</tool_call>", text);
    }

    [Fact]
    public void GenAiEncode_SpecialTokens_SingleIds()
    {
        Assert.Equal([0], trained.GenAi.Encode("<|endoftext|>"));
        Assert.Equal([1], trained.GenAi.Encode("<|im_start|>"));
        Assert.Equal([2], trained.GenAi.Encode("<|im_end|>"));
        Assert.Equal([3], trained.GenAi.Encode("<tool_call>"));
        Assert.Equal([4], trained.GenAi.Encode("</tool_call>"));
    }

    [Theory]
    [InlineData(TaskKind.ToolCall)]
    [InlineData(TaskKind.FactRecall)]
    [InlineData(TaskKind.ShortExchange)]
    public void ApplyChatTemplate_CorpusConversation_EqualsCorpusChatMl(TaskKind kind)
    {
        var sample = new SyntheticCorpus(new CorpusOptions { Seed = 13, MaxDistanceTokens = 64 }).Sample(3, kind);

        string rendered = trained.GenAi.ApplyChatTemplate(sample.Messages, addGenerationPrompt: false);
        string prompted = trained.GenAi.ApplyChatTemplate(sample.Messages, addGenerationPrompt: true);

        Assert.Equal(sample.Text, rendered);
        Assert.Equal(sample.Text + "<|im_start|>assistant\n", prompted);
        if (kind == TaskKind.ToolCall)
        {
            Assert.Contains("<|im_start|>user\n<tool_response>\n{", rendered, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ApplyChatTemplate_FixtureConversation_MatchesHfRendering()
    {
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixture, "reference.json")));
        var conversation = reference.RootElement.GetProperty("conversation").EnumerateArray()
            .Select(m => new ChatTemplateMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();

        string rendered = trained.GenAi.ApplyChatTemplate(conversation, addGenerationPrompt: true);

        Assert.Equal(reference.RootElement.GetProperty("rendered").GetString(), rendered);
    }

    [Fact]
    public void Write_TokenizerJson_MirrorsFixtureStructure()
    {
        var fixture = JsonNode.Parse(File.ReadAllText(Path.Combine(s_fixture, "tokenizer.json")))!.AsObject();
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(trained.Directory, "tokenizer.json")))!.AsObject();

        Assert.Equal(fixture.Select(p => p.Key), written.Select(p => p.Key));
        Assert.Equal(fixture["model"]!.AsObject().Select(p => p.Key), written["model"]!.AsObject().Select(p => p.Key));
        foreach (string key in new[] { "pre_tokenizer", "post_processor", "decoder", "normalizer" })
        {
            Assert.True(JsonNode.DeepEquals(fixture[key], written[key]), key);
        }

        Assert.Equal(fixture["added_tokens"]![0]!.AsObject().Select(p => p.Key), written["added_tokens"]![0]!.AsObject().Select(p => p.Key));
        var toolCall = written["added_tokens"]!.AsArray().Single(t => (string?)t!["content"] == "<tool_call>")!;
        Assert.False((bool)toolCall["special"]!);
        Assert.Equal(trained.Model.VocabSize, written["model"]!["vocab"]!.AsObject().Count);
    }

    [Fact]
    public void Write_TokenizerConfig_ChatMlEosImEndNoBos()
    {
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(trained.Directory, "tokenizer_config.json")))!.AsObject();

        Assert.Equal("<|im_end|>", (string?)config["eos_token"]);
        Assert.False((bool)config["add_bos_token"]!);
        Assert.Equal(ChatMlTemplate.Jinja, (string?)config["chat_template"]);
    }

    [Fact]
    public void Read_WrittenFile_SameModel()
    {
        var read = TokenizerFiles.Read(trained.Directory);

        Assert.Equal(trained.Model.Tokens, read.Tokens);
        Assert.Equal(trained.Model.Merges, read.Merges);
        Assert.Equal(trained.Model.AddedTokens, read.AddedTokens);
    }

    [Fact]
    public void ManagedEncode_FixtureTokenizer_MatchesHfReferenceIds()
    {
        var tokenizer = new BpeTokenizer(TokenizerFiles.Read(s_fixture));
        using var reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(s_fixture, "reference.json")));

        foreach (var sample in reference.RootElement.GetProperty("encodings").EnumerateArray())
        {
            string text = sample.GetProperty("text").GetString()!;
            int[] expected = sample.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();

            Assert.Equal(expected, tokenizer.Encode(text));
            Assert.Equal(sample.GetProperty("decoded").GetString(), tokenizer.Decode(expected, skipSpecialTokens: false));
        }
    }

    [Fact]
    public void Read_NotBpe_ThrowsInvalidDataNamingFile()
    {
        string path = Path.Combine(trained.Directory, "bad-tokenizer.json");
        File.WriteAllText(path, "{\"model\":{\"type\":\"Unigram\"}}");

        var ex = Assert.Throws<InvalidDataException>(() => TokenizerFiles.Read(path));

        Assert.Contains("bad-tokenizer.json", ex.Message, StringComparison.Ordinal);
    }
}
