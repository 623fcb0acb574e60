using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Reference;

namespace EdgeInfinite.Onnx.Tests;

public sealed class MemoryShareProbeTests
{
    private static readonly TransformerWeights s_weights = TransformerWeightsReader.Read(HfCheckpoint.Open(Path.Combine(HfFixture.Root, "hf", "llama")));

    private static int[] Prompt(int atTen) => [5, 6, 7, .. Enumerable.Repeat(9, 7), atTen, .. Enumerable.Repeat(9, 32), 11, 12];

    [Fact]
    public void Measure_StoredTokensAllTheSame_FirstLayerSharesAreUniformUnderEveryKernel()
    {
        // Layer 0's keys before RoPE depend on the token alone, so identical tokens must get identical shares.
        var rows = MemoryShareProbe.Measure(s_weights, Prompt(9), position: 10, storedStart: 3, storedEnd: 43);

        Assert.Equal(s_weights.Architecture.NumLayers * s_weights.Architecture.NumHeads, rows.Count);
        Assert.All(rows.Where(r => r.Layer == 0), r =>
        {
            Assert.Equal(1.0 / 40, r.Uniform, 12);
            Assert.Equal(r.Uniform, r.Softmax, 12);
            Assert.Equal(r.Uniform, r.EluPlusOne, 12);
            Assert.Equal(r.Uniform, r.Exponential, 12);
        });
    }

    [Fact]
    public void Measure_OneDifferentStoredToken_FirstLayerSharesMoveAwayFromUniform()
    {
        var rows = MemoryShareProbe.Measure(s_weights, Prompt(13), position: 10, storedStart: 3, storedEnd: 43);

        Assert.All(rows.Where(r => r.Layer == 0), r =>
        {
            Assert.True(Math.Abs(r.Softmax - r.Uniform) > 1e-6, $"head {r.Head}: softmax share {r.Softmax}");
            Assert.True(Math.Abs(r.Exponential - r.Uniform) > 1e-6, $"head {r.Head}: exponential share {r.Exponential}");
        });
        Assert.All(rows, r => Assert.InRange(r.EluPlusOne, 0, 1));
    }

    [Theory]
    [InlineData(2, 3, 43)]
    [InlineData(43, 3, 43)]
    [InlineData(10, 3, 45)]
    public void Measure_PositionOutsideStoredRangeOrRangeReachingTheQuery_ThrowsNamingTheBounds(int position, int start, int end)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => MemoryShareProbe.Measure(s_weights, Prompt(9), position, start, end));

        Assert.Contains("storedStart", error.Message, StringComparison.Ordinal);
    }
}
