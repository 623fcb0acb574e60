using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Tests.Support;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// Names and links in a checkpoint never make the converter read outside it: shard names with <c>..</c> or absolute
/// paths, tokenizer files linked elsewhere are refused; a Hugging Face cache snapshot, whose files link into
/// <c>../../blobs</c>, converts.
/// </summary>
public sealed class CheckpointEscapeTests : IDisposable
{
    private const string Secret = "canary-7f3a: outside the checkpoint";
    private readonly TempFolder _temp = new();
    private readonly TinyModel _model = TinyModel.Create(FamilyCases.Mistral.Spec);
    private readonly string _canary;

    public CheckpointEscapeTests()
    {
        _canary = _temp.Combine("canary.txt");
        File.WriteAllText(_canary, Secret);
    }

    [Theory]
    [InlineData("../canary.txt")]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("sub/../../canary.txt")]
    [InlineData("ABSOLUTE")]
    public void Convert_IndexShardNameLeavesFolder_ThrowsNamingIndexAndTensor(string shard)
    {
        string checkpoint = Sharded();
        if (shard == "ABSOLUTE")
        {
            shard = _canary;
        }

        SetFirstShardName(checkpoint, shard);

        var ex = AssertFails<InvalidDataException>(checkpoint);

        Assert.Contains("model.safetensors.index.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("weight_map", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("canary-7f3a", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_IndexShardIsALinkOutside_ThrowsNamingLink()
    {
        string checkpoint = Sharded();
        File.CreateSymbolicLink(Path.Combine(checkpoint, "evil.safetensors"), _canary);
        SetFirstShardName(checkpoint, "evil.safetensors");

        var ex = AssertFails<InvalidDataException>(checkpoint);

        Assert.Contains("resolves outside", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_TokenizerLinkedOutside_ThrowsAndCopiesNothing()
    {
        string checkpoint = _temp.Combine("hf");
        _model.WriteCheckpoint(checkpoint);
        File.CreateSymbolicLink(Path.Combine(checkpoint, "tokenizer.json"), _canary);

        var ex = AssertFails<InvalidDataException>(checkpoint);

        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("resolves outside", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"version\":\"1.0\"}", "'model'")]
    [InlineData("[1,2,3]", "not an object")]
    [InlineData("{\"model\":{\"type\":\"BPE\"},\"added_tokens\":[{\"content\":\"<eos>\"}]}", "added_tokens[0]")]
    [InlineData("{\"model\":{\"type\":\"BPE\"},\"added_tokens\":[{\"id\":null,\"content\":\"<eos>\"}]}", "added_tokens[0]")]
    public void Convert_TokenizerJsonNotATokenizer_ThrowsNamingField(string json, string culprit)
    {
        string checkpoint = _temp.Combine("hf");
        _model.WriteCheckpoint(checkpoint);
        File.WriteAllText(Path.Combine(checkpoint, "tokenizer.json"), json);

        var ex = AssertFails<InvalidDataException>(checkpoint);

        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[null]")]
    [InlineData("[2, \"x\"]")]
    [InlineData("-1")]
    public void Convert_GenerationConfigEosNotIds_ThrowsNamingEosTokenId(string eos)
    {
        string checkpoint = _temp.Combine("hf");
        _model.WriteCheckpoint(checkpoint);
        File.WriteAllText(Path.Combine(checkpoint, "generation_config.json"), $"{{\"eos_token_id\": {eos}}}");

        var ex = AssertFails<InvalidDataException>(checkpoint);

        Assert.Contains("generation_config.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("eos_token_id", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_HuggingFaceCacheSnapshotOfLinksIntoBlobs_Converts()
    {
        // models--org--tiny/snapshots/<rev>/<file> -> ../../blobs/<hash>, as huggingface_hub lays out its cache.
        string plain = _temp.Combine("plain");
        CheckpointFolder.Write(plain, HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model), sharded: true);
        File.WriteAllText(Path.Combine(plain, "generation_config.json"), "{\"eos_token_id\": [1]}");
        string cache = _temp.CreateFolder("models--org--tiny");
        string blobs = Directory.CreateDirectory(Path.Combine(cache, "blobs")).FullName;
        string snapshot = Directory.CreateDirectory(Path.Combine(cache, "snapshots", "0123abcd")).FullName;
        int n = 0;
        foreach (string file in Directory.GetFiles(plain))
        {
            string blob = $"blob{n++:D4}";
            File.Move(file, Path.Combine(blobs, blob));
            File.CreateSymbolicLink(Path.Combine(snapshot, Path.GetFileName(file)), Path.Combine("..", "..", "blobs", blob));
        }

        string target = _temp.Combine("package");
        var config = new PackageBuilder().Convert(snapshot, target);

        Assert.Contains(1, config.Tokens.EosTokenIds);
        Assert.True(File.Exists(Path.Combine(target, "edgeinfinite.onnx")));
    }

    [Fact]
    public void Convert_HuggingFaceCacheSnapshotLinkLeavingTheCache_Throws()
    {
        string cache = _temp.CreateFolder("models--org--evil");
        string snapshot = Directory.CreateDirectory(Path.Combine(cache, "snapshots", "rev")).FullName;
        _model.WriteCheckpoint(snapshot);
        File.CreateSymbolicLink(Path.Combine(snapshot, "tokenizer.json"), Path.Combine("..", "..", "..", "canary.txt"));

        var ex = AssertFails<InvalidDataException>(snapshot);

        Assert.Contains("resolves outside", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private string Sharded()
    {
        string dir = _temp.Combine("hf");
        CheckpointFolder.Write(dir, HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model), sharded: true);
        return dir;
    }

    private static void SetFirstShardName(string checkpoint, string shard)
    {
        string indexPath = Path.Combine(checkpoint, "model.safetensors.index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        var map = index["weight_map"]!.AsObject();
        map[map.First().Key] = shard;
        File.WriteAllText(indexPath, index.ToJsonString());
    }

    private T AssertFails<T>(string checkpoint)
        where T : Exception
    {
        string parent = _temp.CreateFolder("out-" + Guid.NewGuid().ToString("N"));

        var ex = Assert.Throws<T>(() => new PackageBuilder().Convert(checkpoint, Path.Combine(parent, "package")));

        Assert.Empty(Directory.GetFileSystemEntries(parent));
        return ex;
    }
}
