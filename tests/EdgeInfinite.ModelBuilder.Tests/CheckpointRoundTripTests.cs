using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Tests.Support;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>The test checkpoints read back exactly: checks the writer helper and the converter's per-family tensor mapping.</summary>
public sealed class CheckpointRoundTripTests
{
    public static TheoryData<string> Families => [.. FamilyCases.All.Keys];

    [Theory]
    [MemberData(nameof(Families))]
    public void Read_WrittenCheckpoint_ReturnsTheWrittenUnfusedWeights(string name)
    {
        using var temp = new TempFolder();
        var model = TinyModel.Create(FamilyCases.All[name].Spec);
        model.WriteCheckpoint(temp.Path);

        var read = TransformerWeightsReader.Read(HfCheckpoint.Open(temp.Path));

        var w = model.Weights;
        Assert.Equal(w.Embedding, read.Embedding);
        Assert.Equal(w.FinalNorm, read.FinalNorm);
        Assert.Equal(w.LmHead, read.LmHead);
        Assert.Equal(w.Layers.Count, read.Layers.Count);
        for (int i = 0; i < w.Layers.Count; i++)
        {
            LayerWeights e = w.Layers[i], a = read.Layers[i];
            Assert.Equal(e.InputNorm, a.InputNorm);
            Assert.Equal(e.QWeight, a.QWeight);
            Assert.Equal(e.KWeight, a.KWeight);
            Assert.Equal(e.VWeight, a.VWeight);
            Assert.Equal(e.QBias, a.QBias);
            Assert.Equal(e.KBias, a.KBias);
            Assert.Equal(e.VBias, a.VBias);
            Assert.Equal(e.OWeight, a.OWeight);
            Assert.Equal(e.OBias, a.OBias);
            Assert.Equal(e.QNorm, a.QNorm);
            Assert.Equal(e.KNorm, a.KNorm);
            Assert.Equal(e.PostAttentionNorm, a.PostAttentionNorm);
            Assert.Equal(e.GateWeight, a.GateWeight);
            Assert.Equal(e.UpWeight, a.UpWeight);
            Assert.Equal(e.DownWeight, a.DownWeight);
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Read_HubStyleConfig_YieldsTheSpecArchitecture(string name)
    {
        using var temp = new TempFolder();
        var spec = FamilyCases.All[name].Spec;
        TinyModel.Create(spec).WriteCheckpoint(temp.Path);

        var config = HfConfigReader.Read(temp.Combine("config.json"));

        Assert.Equal(spec.ToArchitecture(), config.Architecture);
    }

    [Theory]
    [InlineData("llama3-scaled")]
    [InlineData("mistral")]
    public void Read_Transformers5RopeParameters_YieldsTheSpecArchitecture(string name)
    {
        // transformers 5 nests rope_theta and the scaling under rope_parameters instead of the top level.
        using var temp = new TempFolder();
        var model = TinyModel.Create(FamilyCases.All[name].Spec);
        var config = HfConfigJson.Create(model.Spec);
        var rope = config["rope_scaling"]?.DeepClone().AsObject() ?? new JsonObject { ["rope_type"] = "default" };
        rope["rope_theta"] = model.Spec.RopeTheta;
        config.Remove("rope_scaling");
        config.Remove("rope_theta");
        config["rope_parameters"] = rope;
        CheckpointFolder.Write(temp.Path, config, HfTensorLayout.Tensors(model), sharded: false);

        var read = HfConfigReader.Read(temp.Combine("config.json"));

        Assert.Equal(model.Spec.ToArchitecture(), read.Architecture);
    }
}
