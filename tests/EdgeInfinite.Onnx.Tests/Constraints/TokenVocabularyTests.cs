using System.Text;
using EdgeInfinite.Onnx.Constraints;

namespace EdgeInfinite.Onnx.Tests.Constraints;

public sealed class TokenVocabularyTests(TokenizerPackage package) : IClassFixture<TokenizerPackage>
{
    [Fact]
    public void FromTokenizerJson_FixtureTokenizer_BytesDecodeLikeTheTokenizer()
    {
        var vocabulary = TokenVocabulary.FromTokenizerJson(Path.Combine(package.Directory, "tokenizer.json"));
        int compared = 0;
        for (int id = 0; id < vocabulary.Count; id++)
        {
            byte[] bytes = vocabulary.GetBytes(id).ToArray();
            // Whole characters only (a partial one decodes to U+FFFD); control bytes decode to U+FFFD in ONNX Runtime GenAI.
            if (bytes.Length == 0 || !System.Text.Unicode.Utf8.IsValid(bytes) || bytes.Any(b => b < 0x20))
            {
                continue;
            }

            Assert.Equal(package.Tokenizer.Decode([id]), Encoding.UTF8.GetString(bytes));
            compared++;
        }

        Assert.True(compared > vocabulary.Count / 2, $"{compared} of {vocabulary.Count}");
    }

    [Fact]
    public void FromTokenizerJson_SpecialTokens_NeverProducible()
    {
        var vocabulary = TokenVocabulary.FromTokenizerJson(Path.Combine(package.Directory, "tokenizer.json"));
        int imEnd = package.Tokenizer.Encode("<|im_end|>").Single();

        Assert.True(vocabulary.GetBytes(imEnd).IsEmpty);
        Assert.True(vocabulary.ProducibleCount < vocabulary.Count);
    }

    [Fact]
    public void FromTokenizerJson_NotATokenizer_InvalidDataNamingTheField()
    {
        string path = Path.Combine(Path.GetTempPath(), "edgeinfinite-vocab-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"model":{"type":"BPE"}}""");
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => TokenVocabulary.FromTokenizerJson(path));
            Assert.Contains("model.vocab", ex.Message, StringComparison.Ordinal);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromTokenizerJson_WordPiece_NotSupportedNamingTheType()
    {
        string path = Path.Combine(Path.GetTempPath(), "edgeinfinite-vocab-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"model":{"type":"WordPiece","vocab":{"a":0}}}""");
        try
        {
            var ex = Assert.Throws<NotSupportedException>(() => TokenVocabulary.FromTokenizerJson(path));
            Assert.Contains("WordPiece", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void FromTokenizerJson_ByteFallbackPieces_MapToRawBytesAndSpaces()
    {
        string path = Path.Combine(Path.GetTempPath(), "edgeinfinite-vocab-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, """{"model":{"type":"BPE","byte_fallback":true,"vocab":{"<0x0A>":0,"▁the":1,"é":2}}}""");
        try
        {
            var vocabulary = TokenVocabulary.FromTokenizerJson(path);
            Assert.Equal([(byte)'\n'], vocabulary.GetBytes(0).ToArray());
            Assert.Equal(" the"u8.ToArray(), vocabulary.GetBytes(1).ToArray());
            Assert.Equal("é"u8.ToArray(), vocabulary.GetBytes(2).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
