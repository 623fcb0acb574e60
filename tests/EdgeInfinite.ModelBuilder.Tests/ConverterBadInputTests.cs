using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Tests.Support;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// Broken checkpoints fail conversion with an exception that names the culprit (file, tensor or field), and a failed
/// conversion leaves neither the output folder nor a hidden staging folder behind.
/// </summary>
public sealed class ConverterBadInputTests : IDisposable
{
    private const string DownProj1 = "model.layers.1.mlp.down_proj.weight";
    private readonly TempFolder _temp = new();
    private readonly TinyModel _model = TinyModel.Create(FamilyCases.Mistral.Spec);

    [Fact]
    public void Convert_UnknownModelType_ThrowsNamingModelType()
    {
        var config = HfConfigJson.Create(_model.Spec);
        config["model_type"] = "gpt_neox";
        string checkpoint = Write(config, HfTensorLayout.Tensors(_model));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains("model_type 'gpt_neox'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Convert_MissingTensor_ThrowsNamingTensor(bool sharded)
    {
        var tensors = HfTensorLayout.Tensors(_model);
        tensors.RemoveAll(t => t.Name == DownProj1);
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), tensors, sharded);

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains($"'{DownProj1}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_MissingLmHeadWhenUntied_ThrowsNamingLmHead()
    {
        var tensors = HfTensorLayout.Tensors(_model);
        tensors.RemoveAll(t => t.Name == "lm_head.weight");
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), tensors);

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains("'lm_head.weight'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_IndexListsTensorAbsentFromItsShard_ThrowsNamingTensorAndShard()
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model), sharded: true);
        string indexPath = Path.Combine(checkpoint, "model.safetensors.index.json");
        var index = JsonNode.Parse(File.ReadAllText(indexPath))!;
        Assert.Equal(CheckpointFolder.SecondShard, index["weight_map"]!["model.norm.weight"]!.GetValue<string>());
        index["weight_map"]!["model.norm.weight"] = CheckpointFolder.FirstShard;
        File.WriteAllText(indexPath, index.ToJsonString());

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains("'model.norm.weight'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(CheckpointFolder.FirstShard, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_IndexNamesMissingShardFile_ThrowsFileNotFoundNamingShard()
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model), sharded: true);
        File.Delete(Path.Combine(checkpoint, CheckpointFolder.SecondShard));

        var ex = AssertConversionFails<FileNotFoundException>(checkpoint);

        Assert.Contains(CheckpointFolder.SecondShard, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_NoSafetensorsFile_ThrowsFileNotFoundNamingModelSafetensors()
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model));
        File.Delete(Path.Combine(checkpoint, "model.safetensors"));

        var ex = AssertConversionFails<FileNotFoundException>(checkpoint);

        Assert.Contains("model.safetensors", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_TensorShapeMismatch_ThrowsNamingTensorAndBothShapes()
    {
        const string KProj0 = "model.layers.0.self_attn.k_proj.weight";
        var tensors = HfTensorLayout.Tensors(_model);
        int i = tensors.FindIndex(t => t.Name == KProj0);
        tensors[i] = new TestTensor(KProj0, [48, 64], new WeightGenerator(99).Matrix(48 * 64));
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), tensors);

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains($"'{KProj0}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[48, 64]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[32, 64]", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_Phi3FusedTensorShapeMismatch_ThrowsNamingFusedTensorAndBothShapes()
    {
        // A phi3 checkpoint whose config says 2 KV heads but whose qkv_proj was fused for 4: the split must not guess.
        var phi3 = TinyModel.Create(FamilyCases.Phi3.Spec with { NumKvHeads = 4 });
        var config = HfConfigJson.Create(phi3.Spec);
        config["num_key_value_heads"] = 2;
        string checkpoint = Write(config, HfTensorLayout.Tensors(phi3));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains("'model.layers.0.self_attn.qkv_proj.weight'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[192, 64]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[128, 64]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("model.safetensors", false, 4)]
    [InlineData("model.safetensors", false, 100)]
    [InlineData("model.safetensors", false, -1)]
    [InlineData(CheckpointFolder.SecondShard, true, -1)]
    public void Convert_TruncatedSafetensors_ThrowsNamingFile(string file, bool sharded, long keepBytes)
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model), sharded);
        string path = Path.Combine(checkpoint, file);
        long length = new FileInfo(path).Length;

        // keepBytes < 0 cuts the file in half, which ends inside the tensor data.
        PackageCopy.Truncate(path, keepBytes < 0 ? length / 2 : keepBytes);

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_ConfigNotJson_ThrowsNamingConfigJson()
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model));
        File.WriteAllText(Path.Combine(checkpoint, "config.json"), "{ \"model_type\": \"llama\", \"hidden_size\": ");

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains(Path.Combine(checkpoint, "config.json"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_NoConfigJson_ThrowsFileNotFoundNamingConfigJson()
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model));
        File.Delete(Path.Combine(checkpoint, "config.json"));

        var ex = AssertConversionFails<FileNotFoundException>(checkpoint);

        Assert.Contains("config.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hidden_size", "\"big\"")]
    [InlineData("num_attention_heads", "4.5")]
    [InlineData("num_hidden_layers", "-2")]
    [InlineData("vocab_size", "null")]
    [InlineData("intermediate_size", "[128]")]
    [InlineData("rope_theta", "\"10000\"")]
    [InlineData("rms_norm_eps", "{}")]
    [InlineData("tie_word_embeddings", "\"yes\"")]
    [InlineData("model_type", "7")]
    [InlineData("eos_token_id", "\"2\"")]
    [InlineData("eos_token_id", "[\"2\"]")]
    [InlineData("bos_token_id", "1.5")]
    public void Convert_ConfigFieldOfWrongType_ThrowsNamingField(string field, string json)
    {
        var config = HfConfigJson.Create(_model.Spec);
        config[field] = JsonNode.Parse(json);
        string checkpoint = Write(config, HfTensorLayout.Tensors(_model));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"rope_type": "llama3", "factor": "8"}""", "factor")]
    [InlineData("""{"rope_type": "llama3"}""", "factor")]
    [InlineData("""{"rope_type": "llama3", "factor": 8.0, "original_max_position_embeddings": "64"}""", "original_max_position_embeddings")]
    [InlineData("""{"rope_type": 3, "factor": 8.0}""", "rope_type")]
    [InlineData("\"llama3\"", "rope_scaling")]
    public void Convert_MalformedRopeScaling_ThrowsNamingField(string ropeScaling, string culprit)
    {
        var config = HfConfigJson.Create(_model.Spec);
        config["rope_scaling"] = JsonNode.Parse(ropeScaling);
        string checkpoint = Write(config, HfTensorLayout.Tensors(_model));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_RopeParametersThetaOfWrongType_ThrowsNamingField()
    {
        var config = HfConfigJson.Create(_model.Spec);
        config.Remove("rope_theta");
        config["rope_parameters"] = new JsonObject { ["rope_type"] = "default", ["rope_theta"] = "1e6" };
        string checkpoint = Write(config, HfTensorLayout.Tensors(_model));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains("rope_parameters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'rope_theta'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rope_type", "yarn")]
    [InlineData("rope_type", "linear")]
    [InlineData("rope_type", "dynamic")]
    [InlineData("rope_type", "longrope")]
    [InlineData("type", "su")]
    public void Convert_UnsupportedRopeScalingType_ThrowsNamingType(string key, string type)
    {
        var config = HfConfigJson.Create(_model.Spec);
        config["rope_scaling"] = new JsonObject { [key] = type, ["factor"] = 4.0 };
        string checkpoint = Write(config, HfTensorLayout.Tensors(_model));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains($"rope_scaling type '{type}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(32, 4, 8, false)]
    [InlineData(64, 4, 24, true)]
    public void Convert_HeadDimNotMultipleOf16_ThrowsNamingHeadDim(int hidden, int heads, int headDim, bool explicitHeadDim)
    {
        var model = TinyModel.Create(_model.Spec with { HiddenSize = hidden, NumHeads = heads, HeadDim = headDim, WriteHeadDim = explicitHeadDim });
        string checkpoint = Write(HfConfigJson.Create(model.Spec), HfTensorLayout.Tensors(model));

        var ex = AssertConversionFails<InvalidDataException>(checkpoint);

        Assert.Contains($"head_dim {headDim}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("multiple of 16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_CancelledAfterStagingStarted_LeavesNothingBehind()
    {
        string checkpoint = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        string parent = _temp.CreateFolder("out");

        Assert.ThrowsAny<OperationCanceledException>(() => new PackageBuilder().Convert(checkpoint, Path.Combine(parent, "package"), cancellationToken: cts.Token));

        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    [Fact]
    public void Convert_FailingConversionWithOverwrite_KeepsTheExistingPackage()
    {
        string good = Write(HfConfigJson.Create(_model.Spec), HfTensorLayout.Tensors(_model));
        string parent = _temp.CreateFolder("out");
        string target = Path.Combine(parent, "package");
        new PackageBuilder().Convert(good, target);
        string configBefore = File.ReadAllText(Path.Combine(target, "edgeinfinite.json"));
        var tensors = HfTensorLayout.Tensors(_model);
        tensors.RemoveAll(t => t.Name == DownProj1);
        string broken = Write(HfConfigJson.Create(_model.Spec), tensors, name: "broken");

        var ex = Assert.Throws<InvalidDataException>(() => new PackageBuilder().Convert(broken, target, new ConversionOptions { Overwrite = true }));

        Assert.Contains(DownProj1, ex.Message, StringComparison.Ordinal);
        Assert.Equal(["package"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
        Assert.Equal(configBefore, File.ReadAllText(Path.Combine(target, "edgeinfinite.json")));
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Converts into a fresh, empty parent folder and checks that the failure left that folder empty.</summary>
    private T AssertConversionFails<T>(string checkpoint)
        where T : Exception
    {
        string parent = _temp.CreateFolder("out-" + Guid.NewGuid().ToString("N"));
        string target = Path.Combine(parent, "package");

        var ex = Assert.Throws<T>(() => new PackageBuilder().Convert(checkpoint, target));

        // Neither the package nor a hidden ".package.partial-<guid>" staging folder may remain.
        Assert.Empty(Directory.GetFileSystemEntries(parent));
        return ex;
    }

    private string Write(JsonObject config, List<TestTensor> tensors, bool sharded = false, string name = "hf")
    {
        string dir = _temp.Combine(name);
        CheckpointFolder.Write(dir, config, tensors, sharded);
        return dir;
    }
}
