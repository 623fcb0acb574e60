using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Reference;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>The llama3 rope scaling case really exercises every frequency band, and the scaling changes the logits.</summary>
public sealed class Llama3RopeScalingTests(ConvertedFamilies families) : IClassFixture<ConvertedFamilies>
{
    [Fact]
    public void Llama3ScaledCase_HeadDimThetaAndPromptLength_HitHighMediumAndLowFrequencyBands()
    {
        // transformers' llama3 rule: wavelength 2π/inv_freq below original/high_freq_factor keeps its frequency,
        // above original/low_freq_factor is divided by factor, in between is blended.
        var spec = FamilyCases.Llama3Scaled.Spec;
        var s = FamilyCases.Llama3Scaling;
        double highFreqWavelength = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        double lowFreqWavelength = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var wavelengths = Enumerable.Range(0, spec.HeadDim / 2).Select(i => 2 * Math.PI * Math.Pow(spec.RopeTheta, 2.0 * i / spec.HeadDim)).ToArray();

        int high = wavelengths.Count(w => w < highFreqWavelength);
        int medium = wavelengths.Count(w => w >= highFreqWavelength && w <= lowFreqWavelength);
        int low = wavelengths.Count(w => w > lowFreqWavelength);

        Assert.True(high >= 1 && medium >= 2 && low >= 2, $"bands high {high}, medium {medium}, low {low}");
        Assert.True(FamilyCases.Llama3Scaled.PromptLength > 2 * s.OriginalMaxPositionEmbeddings, "the prompt must run well past original_max_position_embeddings");
    }

    [Fact]
    public void ReferenceRotaryFrequencies_Llama3ScaledCase_KeepHighDivideLowAndBlendMediumBand()
    {
        // Pins the oracle's frequencies to the llama3 rule band by band (it is the reference the engine is held to).
        var spec = FamilyCases.Llama3Scaled.Spec;
        var s = FamilyCases.Llama3Scaling;
        var scaled = RotaryFrequencies.Compute(spec.ToArchitecture());
        var plain = RotaryFrequencies.Compute(spec.ToArchitecture() with { RopeScaling = null });

        for (int i = 0; i < scaled.Length; i++)
        {
            double wavelength = 2 * Math.PI / plain[i];
            Assert.Equal(Math.Pow(spec.RopeTheta, -2.0 * i / spec.HeadDim), plain[i], 1e-15);
            if (wavelength < s.OriginalMaxPositionEmbeddings / s.HighFreqFactor)
            {
                Assert.Equal(plain[i], scaled[i]);
            }
            else if (wavelength > s.OriginalMaxPositionEmbeddings / s.LowFreqFactor)
            {
                Assert.Equal(plain[i] / s.Factor, scaled[i], 1e-15);
            }
            else
            {
                Assert.True(scaled[i] < plain[i] && scaled[i] > plain[i] / s.Factor, $"frequency {i} is not blended");
            }
        }
    }

    [Fact]
    public void AppendAllLogits_Llama3ScaledVersusSameWeightsUnscaled_DifferBeyondTolerance()
    {
        var scaledCase = FamilyCases.Llama3Scaled;
        var unscaledCase = scaledCase with { Name = "llama3-unscaled", Spec = scaledCase.Spec with { RopeScaling = null } };
        var scaled = families.Get(scaledCase.Name);
        var unscaled = families.Convert(unscaledCase, unscaledCase.Name);
        int[] ids = scaledCase.PromptIds();

        float[] scaledLogits = AllLogits(scaled.PackageDirectory, ids);
        float[] unscaledLogits = AllLogits(unscaled.PackageDirectory, ids);

        Assert.Equal(scaled.Model.Weights.Embedding, unscaled.Model.Weights.Embedding);
        LogitComparison.AssertClose(new ReferenceTransformer(unscaled.Model.Weights).Forward(ids), unscaledLogits, 1e-4);
        double diff = LogitComparison.MaxAbsDiff(scaledLogits, unscaledLogits);
        Assert.True(diff > 0.05, $"llama3 scaling changed the logits by only {diff:G4}");
    }

    private static float[] AllLogits(string package, int[] ids)
    {
        using var model = EdgeInfiniteModel.Load(package);
        using var state = model.CreateState(Route.Short, ids.Length);
        return state.AppendAllLogits(ids);
    }
}
