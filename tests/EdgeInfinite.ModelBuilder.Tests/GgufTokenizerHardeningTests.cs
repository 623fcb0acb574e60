using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Gguf;
using EdgeInfinite.ModelBuilder.Tests.Support;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// The tokenizer a GGUF export reads comes with the checkpoint: a negative id (which indexed the token table and
/// crashed with IndexOutOfRangeException) or a field of the wrong shape ends in one <see cref="InvalidDataException"/>
/// naming the file and the field.
/// </summary>
public sealed class GgufTokenizerHardeningTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Export_NegativeVocabularyId_ThrowsNamingTheField()
    {
        string dir = Checkpoint(root =>
        {
            var vocab = root["model"]!["vocab"]!.AsObject();
            vocab[vocab.First().Key] = -5;
        });

        var ex = Assert.Throws<InvalidDataException>(() => GgufExporter.Export(dir, _temp.Combine("out.gguf")));

        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.vocab['", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-5", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("out.gguf")));
    }

    [Fact]
    public void Export_AddedTokenIdIsAString_ThrowsNamingFileAndField()
    {
        string dir = Checkpoint(root => root["added_tokens"] = new JsonArray(new JsonObject { ["id"] = "seven", ["content"] = "<x>" }));

        var ex = Assert.Throws<InvalidDataException>(() => GgufExporter.Export(dir, _temp.Combine("out.gguf")));

        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("added_tokens[0]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_VocabularyIsAList_ThrowsNamingFileAndField()
    {
        string dir = Checkpoint(root => root["model"]!["vocab"] = new JsonArray(1, 2));

        var ex = Assert.Throws<InvalidDataException>(() => GgufExporter.Export(dir, _temp.Combine("out.gguf")));

        Assert.Contains("tokenizer.json': model.vocab has the wrong shape", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>The llama fixture checkpoint with the fixture tokenizer, edited.</summary>
    private string Checkpoint(Action<JsonNode> edit)
    {
        string dir = _temp.CreateFolder("hf");
        string source = Path.Combine(AppContext.BaseDirectory, "fixtures", "hf", "llama");
        foreach (string name in new[] { "config.json", "model.safetensors" })
        {
            File.Copy(Path.Combine(source, name), Path.Combine(dir, name));
        }

        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer", "tokenizer.json")))!;
        edit(root);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), root.ToJsonString());
        return dir;
    }
}
