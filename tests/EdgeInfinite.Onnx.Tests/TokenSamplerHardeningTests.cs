using EdgeInfinite.Onnx.Generation;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>Extreme temperatures and corrupt logits never make the sampler pick the least likely token.</summary>
public sealed class TokenSamplerHardeningTests
{
    [Theory]
    [InlineData(1e-38f)]
    [InlineData(1e-45f)]
    [InlineData(1e-20f)]
    public void Next_TinyTemperature_PicksTheMostLikelyToken(float temperature)
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var sampler = new TokenSampler(new GenerationOptions { Temperature = temperature, Seed = seed });
            float[] logits = [-30f, 12f, 11.5f, -1e30f, 3f];

            Assert.Equal(1, sampler.Next(logits, []));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Next_NaNLogits_NeverPicksANaNToken(bool greedy)
    {
        for (int seed = 0; seed < 50; seed++)
        {
            var sampler = new TokenSampler(new GenerationOptions { Greedy = greedy, Temperature = 1f, Seed = seed });
            float[] logits = [float.NaN, -5f, float.NaN, 4f, float.NaN];

            int next = sampler.Next(logits, []);

            Assert.True(next is 1 or 3, $"picked {next}");
        }
    }

    [Fact]
    public void Next_InfiniteLogit_PicksIt()
    {
        var sampler = new TokenSampler(new GenerationOptions { Temperature = 0.7f, Seed = 3 });
        float[] logits = [1f, float.PositiveInfinity, 2f];

        Assert.Equal(1, sampler.Next(logits, []));
    }

    [Fact]
    public void Next_AllNaN_ThrowsInvalidOperation()
    {
        var sampler = new TokenSampler(new GenerationOptions { Greedy = true });

        var ex = Assert.Throws<InvalidOperationException>(() => sampler.Next(new[] { float.NaN, float.NaN }, []));

        Assert.Contains("NaN", ex.Message, StringComparison.Ordinal);
    }
}
