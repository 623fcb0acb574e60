using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Training.Weights;

namespace EdgeInfinite.Training.Tests;

public sealed class PackageWeightsReaderTests(Fixtures fixtures) : IClassFixture<Fixtures>
{
    [Theory]
    [InlineData("llama")]
    [InlineData("qwen2")]
    public void Read_ConvertedFixture_EqualsCheckpointWeightsExactly(string arch)
    {
        var expected = Fixtures.CheckpointWeights(arch);

        var read = PackageWeightsReader.Read(fixtures.Package(arch));

        var actual = read.Weights;
        Assert.Equal(expected.Architecture, actual.Architecture);
        Assert.Equal(expected.Embedding, actual.Embedding);
        Assert.Equal(expected.LmHead, actual.LmHead);
        Assert.Equal(expected.FinalNorm, actual.FinalNorm);
        for (int i = 0; i < expected.Layers.Count; i++)
        {
            LayerWeights e = expected.Layers[i], a = actual.Layers[i];
            Assert.Equal(e.InputNorm, a.InputNorm);
            Assert.Equal(e.QWeight, a.QWeight);
            Assert.Equal(e.KWeight, a.KWeight);
            Assert.Equal(e.VWeight, a.VWeight);
            Assert.Equal(e.OWeight, a.OWeight);
            Assert.Equal(e.QBias, a.QBias);
            Assert.Equal(e.KBias, a.KBias);
            Assert.Equal(e.VBias, a.VBias);
            Assert.Equal(e.OBias, a.OBias);
            Assert.Equal(e.PostAttentionNorm, a.PostAttentionNorm);
            Assert.Equal(e.GateWeight, a.GateWeight);
            Assert.Equal(e.UpWeight, a.UpWeight);
            Assert.Equal(e.DownWeight, a.DownWeight);
        }

        Assert.All(read.GateBiases, b => Assert.All(b, v => Assert.Equal(-30f, v)));
        Assert.All(read.GateWeights, w => Assert.All(w, v => Assert.Equal(0f, v)));
        Assert.False(read.Config.LongRoute.GatesTrained);
    }

    [Fact]
    public void Read_GatedCopy_ReturnsTheWrittenGates()
    {
        var (package, w, b) = fixtures.GatedPackage("qwen2");

        var read = PackageWeightsReader.Read(package);

        Assert.Equal(w, read.GateWeights);
        Assert.Equal(b, read.GateBiases);
        Assert.True(read.Config.LongRoute.GatesTrained);
    }
}
