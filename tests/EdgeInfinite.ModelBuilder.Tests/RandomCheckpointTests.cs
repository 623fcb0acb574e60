using System.Text.Json;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Reference;

namespace EdgeInfinite.ModelBuilder.Tests;

public sealed class RandomCheckpointTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(nameof(RandomCheckpointSpec.RopeTheta), double.PositiveInfinity)]
    [InlineData(nameof(RandomCheckpointSpec.RmsNormEps), double.NaN)]
    [InlineData(nameof(RandomCheckpointSpec.InitStd), double.PositiveInfinity)]
    public void Write_NonFiniteSetting_ThrowsNamingTheFieldAndWritesNothing(string field, double value)
    {
        var spec = field switch
        {
            nameof(RandomCheckpointSpec.RopeTheta) => RandomCheckpointSpec.Tiny with { RopeTheta = value },
            nameof(RandomCheckpointSpec.RmsNormEps) => RandomCheckpointSpec.Tiny with { RmsNormEps = value },
            _ => RandomCheckpointSpec.Tiny with { InitStd = value },
        };
        string dir = _temp.Combine("nonfinite");

        // Before: config.json failed half-written with ".NET number values such as positive and negative infinity cannot be written as valid JSON".
        var ex = Assert.Throws<ArgumentException>(() => RandomCheckpoint.Write(dir, spec, seed: 1));

        Assert.Equal(field, ex.ParamName);
        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Write_SameSeed_SameBytes_OtherSeed_OtherWeights()
    {
        string a = _temp.Combine("a"), b = _temp.Combine("b"), c = _temp.Combine("c");

        RandomCheckpoint.Write(a, RandomCheckpointSpec.Tiny, seed: 5);
        RandomCheckpoint.Write(b, RandomCheckpointSpec.Tiny, seed: 5);
        RandomCheckpoint.Write(c, RandomCheckpointSpec.Tiny, seed: 6);

        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(a, "config.json")), File.ReadAllText(Path.Combine(b, "config.json")));
        var wa = TransformerWeightsReader.Read(HfCheckpoint.Open(a));
        var wc = TransformerWeightsReader.Read(HfCheckpoint.Open(c));
        Assert.NotEqual(wa.Embedding, wc.Embedding);
        Assert.NotEqual(wa.Layers[1].DownWeight, wc.Layers[1].DownWeight);
    }

    [Fact]
    public void Fill_AnySplitIntoEvenBlocks_SameValuesAsOneBlock()
    {
        var whole = new float[3000];
        RandomCheckpoint.Fill(whole, seed: 9, tensorIndex: 4, start: 0, std: 0.02);
        var pieces = new float[3000];
        RandomCheckpoint.Fill(pieces.AsSpan(0, 1000), 9, 4, 0, 0.02);
        RandomCheckpoint.Fill(pieces.AsSpan(1000, 1002), 9, 4, 1000, 0.02);
        RandomCheckpoint.Fill(pieces.AsSpan(2002, 998), 9, 4, 2002, 0.02);

        Assert.Equal(whole, pieces);
    }

    [Fact]
    public void FromPreset_FullQwen25_HasAll24LayersAndQwen25HalfBillionParameterCount()
    {
        var spec = RandomCheckpointSpec.FromPreset("qwen2.5-0.5b");
        var names = RandomCheckpoint.Tensors(spec).Select(t => t.Name).ToHashSet();

        Assert.Equal(24, spec.NumLayers);
        Assert.Contains("model.layers.23.mlp.down_proj.weight", names);
        Assert.DoesNotContain("model.layers.24.mlp.down_proj.weight", names);

        // Qwen2.5-0.5B's published parameter count (tied embeddings): the same shapes as the real model.
        Assert.Equal(494_032_768, spec.ParameterCount);
    }

    [Fact]
    public void Tensors_Qwen25Preset_HaveQwen25HalfBillionShapes()
    {
        var spec = RandomCheckpointSpec.FromPreset("qwen2.5-0.5b-4l");
        var shapes = RandomCheckpoint.Tensors(spec).ToDictionary(t => t.Name, t => t.Shape);

        Assert.Equal([151936L, 896], shapes["model.embed_tokens.weight"]);
        Assert.Equal([896L, 896], shapes["model.layers.3.self_attn.q_proj.weight"]);
        Assert.Equal([128L, 896], shapes["model.layers.3.self_attn.k_proj.weight"]);
        Assert.Equal([128L, 896], shapes["model.layers.3.self_attn.v_proj.weight"]);
        Assert.Equal([896L], shapes["model.layers.3.self_attn.q_proj.bias"]);
        Assert.Equal([128L], shapes["model.layers.3.self_attn.v_proj.bias"]);
        Assert.Equal([896L, 896], shapes["model.layers.3.self_attn.o_proj.weight"]);
        Assert.Equal([4864L, 896], shapes["model.layers.3.mlp.gate_proj.weight"]);
        Assert.Equal([4864L, 896], shapes["model.layers.3.mlp.up_proj.weight"]);
        Assert.Equal([896L, 4864], shapes["model.layers.3.mlp.down_proj.weight"]);
        Assert.False(shapes.ContainsKey("model.layers.4.input_layernorm.weight"));
        Assert.False(shapes.ContainsKey("lm_head.weight"));

        // Qwen2.5-0.5B has 494,032,768 parameters in 24 layers: embedding 136,134,656 + 24 × 14,912,384 + final norm 896.
        Assert.Equal(136_134_656L + (4 * 14_912_384L) + 896, spec.ParameterCount);
        Assert.Equal(136_134_656L + (24 * 14_912_384L) + 896, (spec with { NumLayers = 24 }).ParameterCount);
    }

    [Fact]
    public void Write_Qwen25ShapesSmallVocab_ConfigReadsBackAsSpecifiedAndWeightsAreNormal002()
    {
        // The preset's layers with a small vocabulary, so the test writes 60 MB rather than 780 MB.
        var spec = RandomCheckpointSpec.Qwen25HalfBillionFourLayers with { VocabSize = 1024, NumLayers = 1, BosTokenId = 1, EosTokenId = 2, MaxPositionEmbeddings = 8192 };
        string dir = _temp.Combine("qwen");

        RandomCheckpoint.Write(dir, spec, seed: 1);

        var checkpoint = HfCheckpoint.Open(dir);
        var a = checkpoint.Config.Architecture;
        Assert.Equal((ModelFamily.Qwen2, 1024, 896, 4864, 1, 14, 2, 64), (a.Family, a.VocabSize, a.HiddenSize, a.IntermediateSize, a.NumLayers, a.NumHeads, a.NumKvHeads, a.HeadDim));
        Assert.Equal((1e6, 1e-6, 8192, true), (a.RopeTheta, a.RmsNormEps, a.MaxPositionEmbeddings, a.TieWordEmbeddings));
        using (var config = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "config.json"))))
        {
            Assert.Equal("float32", config.RootElement.GetProperty("torch_dtype").GetString());
        }

        var w = TransformerWeightsReader.Read(checkpoint);
        var layer = w.Layers[0];
        Assert.All(new[] { layer.InputNorm, layer.PostAttentionNorm, w.FinalNorm }, norm => Assert.All(norm, v => Assert.Equal(1f, v)));
        foreach (var values in new[] { w.Embedding, layer.QWeight, layer.GateWeight, layer.DownWeight, layer.QBias! })
        {
            double mean = values.Average(v => (double)v);
            double std = Math.Sqrt(values.Average(v => ((double)v - mean) * ((double)v - mean)));
            Assert.True(Math.Abs(mean) < 0.002, $"mean {mean}");
            Assert.True(Math.Abs(std - 0.02) < 0.02 * (values.Length > 10_000 ? 0.01 : 0.1), $"std {std} over {values.Length} values");
        }
    }

    [Fact]
    public void Write_TinyPreset_ConvertsAndEngineMatchesFloat64Reference()
    {
        string hf = _temp.Combine("tiny");
        string package = _temp.Combine("tiny-package");
        RandomCheckpoint.Write(hf, RandomCheckpointSpec.FromPreset("tiny"), seed: 2);
        new PackageBuilder().Convert(hf, package);
        int[] ids = [1, 17, 200, 3, 99, 42, 255, 0, 128, 64];

        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, ids.Length);
        var logits = state.AppendAllLogits(ids);

        Assert.Equal(RandomCheckpointSpec.Tiny.VocabSize, model.Config.Architecture.VocabSize);
        var expected = new ReferenceTransformer(TransformerWeightsReader.Read(HfCheckpoint.Open(hf))).Forward(ids);
        LogitComparison.AssertClose(expected, logits, 1e-4);
    }

    [Fact]
    public void Write_ExistingFolder_ThrowsUnlessOverwrite()
    {
        string dir = _temp.Combine("exists");
        RandomCheckpoint.Write(dir, RandomCheckpointSpec.Tiny, seed: 1);
        byte[] before = File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));

        var ex = Assert.Throws<IOException>(() => RandomCheckpoint.Write(dir, RandomCheckpointSpec.Tiny, seed: 2));
        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));

        RandomCheckpoint.Write(dir, RandomCheckpointSpec.Tiny, seed: 2, overwrite: true);
        Assert.NotEqual(before, File.ReadAllBytes(Path.Combine(dir, "model.safetensors")));
        Assert.Single(Directory.GetDirectories(_temp.Path), d => Path.GetFileName(d) == "exists");
        Assert.Single(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Theory]
    [InlineData("gpt2", "ModelType")]
    [InlineData("heads", "NumKvHeads")]
    [InlineData("eos", "EosTokenId")]
    public void Write_BadSpec_ThrowsNamingTheFieldAndWritesNothing(string fault, string field)
    {
        var spec = fault switch
        {
            "gpt2" => RandomCheckpointSpec.Tiny with { ModelType = "gpt2" },
            "heads" => RandomCheckpointSpec.Tiny with { NumKvHeads = 3 },
            _ => RandomCheckpointSpec.Tiny with { EosTokenId = 256 },
        };

        var ex = Assert.Throws<ArgumentException>(() => RandomCheckpoint.Write(_temp.Combine("bad"), spec, seed: 1));

        Assert.Equal(field, ex.ParamName);
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void FromPreset_UnknownName_ThrowsListingPresets()
    {
        var ex = Assert.Throws<ArgumentException>(() => RandomCheckpointSpec.FromPreset("llama-70b"));
        Assert.Contains("qwen2.5-0.5b-4l", ex.Message, StringComparison.Ordinal);
    }
}
