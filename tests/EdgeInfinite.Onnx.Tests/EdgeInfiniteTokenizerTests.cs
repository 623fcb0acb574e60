using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// <see cref="EdgeInfiniteTokenizer"/> (ONNX Runtime GenAI 0.18's tokenizer) on a converted package against HF
/// tokenizers' reference for the fixture tokenizer.
/// </summary>
public sealed class EdgeInfiniteTokenizerTests(TokenizerPackage package) : IClassFixture<TokenizerPackage>
{
    private static readonly TokenizerReference s_reference = TokenizerReference.Load();
    private static readonly string[] s_requiredFiles = ["tokenizer.json", "tokenizer_config.json", "genai_config.json"];

    public static TheoryData<string> SampleTexts => new(s_reference.Samples.Select(s => s.Text));

    public static TheoryData<string> RequiredFiles => new(s_requiredFiles);

    [Theory]
    [MemberData(nameof(SampleTexts))]
    public void Encode_ReferenceSample_MatchesHfTokenizersIds(string text)
    {
        var sample = s_reference.Sample(text);

        int[] ids = package.Tokenizer.Encode(sample.Text);

        Assert.Equal(sample.Ids, ids);
    }

    [Theory]
    [MemberData(nameof(SampleTexts))]
    public void Decode_ReferenceSampleIds_MatchesHfTextWithoutSpecialTokens(string text)
    {
        var sample = s_reference.Sample(text);

        string decoded = package.Tokenizer.Decode(sample.Ids);

        Assert.Equal(s_reference.DecodedWithoutSpecialTokens(sample), decoded);
    }

    [Fact]
    public void Decode_ChatMarkupIds_DropsSpecialTokensOnly()
    {
        var sample = s_reference.Sample("<|im_start|>user\nhi<|im_end|>");
        Assert.Equal("<|im_start|>user\nhi<|im_end|>", sample.Decoded);

        string decoded = package.Tokenizer.Decode(sample.Ids);

        Assert.Equal("user\nhi", decoded);
    }

    [Theory]
    [MemberData(nameof(SampleTexts))]
    public void CreateDecoder_ReferenceSampleIdsOneByOne_ConcatenatesToDecode(string text)
    {
        var sample = s_reference.Sample(text);
        using var decoder = package.Tokenizer.CreateDecoder();

        var pieces = sample.Ids.Select(decoder.Next).ToList();

        // A piece that ends inside a UTF-8 sequence must be held back, never emitted as U+FFFD.
        Assert.All(pieces, piece => Assert.DoesNotContain('\uFFFD', piece));
        Assert.Equal(package.Tokenizer.Decode(sample.Ids), string.Concat(pieces));
        Assert.Equal(s_reference.DecodedWithoutSpecialTokens(sample), string.Concat(pieces));
    }

    [Fact]
    public void ApplyChatTemplate_ReferenceConversationWithGenerationPrompt_MatchesHfRendering()
    {
        string rendered = package.Tokenizer.ApplyChatTemplate(s_reference.Conversation, addGenerationPrompt: true);

        Assert.Equal(s_reference.Rendered, rendered);
    }

    [Fact]
    public void Convert_TokenizerConfigEosToken_PackageEosIdsIncludeImEnd()
    {
        int[] imEnd = package.Tokenizer.Encode("<|im_end|>");
        Assert.Single(imEnd);

        var config = PackageConfig.Load(Path.Combine(package.Directory, PackageConfig.FileName));

        Assert.Contains(imEnd[0], config.Tokens.EosTokenIds);
    }

    [Theory]
    [MemberData(nameof(RequiredFiles))]
    public void Constructor_FolderMissingFile_ThrowsFileNotFoundNamingFile(string missing)
    {
        string folder = package.CreateScratchDirectory();
        foreach (string file in s_requiredFiles.Where(f => f != missing))
        {
            File.Copy(Path.Combine(package.Directory, file), Path.Combine(folder, file));
        }

        var ex = Assert.Throws<FileNotFoundException>(() => new EdgeInfiniteTokenizer(folder));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(folder, missing), ex.FileName);
    }
}
