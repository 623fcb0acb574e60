using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx.Packaging;
using Xunit.Abstractions;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// What quantization costs against the float32 package, with the shipped defaults (block size 32, accuracy level 4):
/// top-1 agreement and the largest logit change over every position of the fixtures' 48-token and 1,500-token prompts.
/// The bounds are the measured values with a margin (docs/quantization.md has the numbers).
/// </summary>
public sealed class QuantizedAccuracyTests(QuantizedPackages packages, ITestOutputHelper output) : IClassFixture<QuantizedPackages>
{
    public static TheoryData<string, WeightPrecision, int, double, double> Cases => new()
    {
        // arch, precision, accuracy level, minimum top-1 agreement, maximum |Δlogit| relative to the float32 logits' largest magnitude
        // Measured (docs/quantization.md): random fixtures with nearly flat logits are the hard case for top-1.
        { "llama", WeightPrecision.Int8, 4, 0.95, 0.04 },
        { "llama", WeightPrecision.Int4, 4, 0.57, 0.60 },
        { "qwen2", WeightPrecision.Int8, 4, 0.94, 0.03 },
        { "qwen2", WeightPrecision.Int4, 4, 0.56, 0.30 },
        { "llama", WeightPrecision.Int8, 0, 0.95, 0.035 },
        { "llama", WeightPrecision.Int4, 0, 0.57, 0.60 },
        { "qwen2", WeightPrecision.Int8, 0, 0.95, 0.025 },
        { "qwen2", WeightPrecision.Int4, 0, 0.55, 0.30 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void AppendAllLogits_QuantizedAgainstFloat32_Top1AgreementAndLogitChangeWithinMeasuredBounds(string arch, WeightPrecision precision, int accuracyLevel, double minAgreement, double maxRelativeChange)
    {
        var fixture = HfFixture.Load(arch);
        var agreement = new LogitAgreement();
        foreach (var prompt in new[] { fixture.PromptIds, fixture.LongPromptIds })
        {
            agreement.Add(packages.Get(arch, WeightSettings.Float32), packages.Get(arch, WeightSettings.For(precision, accuracyLevel: accuracyLevel)), prompt);
        }

        output.WriteLine($"{arch} {precision} level {accuracyLevel}: {agreement}");
        Assert.True(agreement.Agreement >= minAgreement, $"top-1 agreement {agreement.Agreement:P2} < {minAgreement:P0}");
        Assert.True(agreement.RelativeChange <= maxRelativeChange, $"max |Δlogit| is {agreement.RelativeChange:P2} of the largest logit; bound {maxRelativeChange:P0}");
        Assert.True(agreement.MaxChange > 0, "quantized logits equal the float32 ones: the package is not quantized");
    }
}
