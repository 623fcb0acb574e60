using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Reference;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// Each supported family, written as the Hub ships it from known random weights, converted and run by the ONNX engine,
/// against the float64 reference computed from the same weights held in memory (not read back by the converter).
/// </summary>
public sealed class FamilyConversionTests(ConvertedFamilies families) : IClassFixture<ConvertedFamilies>
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string> Families => [.. FamilyCases.All.Keys];

    [Theory]
    [MemberData(nameof(Families))]
    public void AppendAllLogits_ConvertedFamily_MatchesFloat64ReferenceWithin1e4(string name)
    {
        var family = families.Get(name);
        int[] ids = family.Case.PromptIds();
        using var model = EdgeInfiniteModel.Load(family.PackageDirectory);
        using var state = model.CreateState(Route.Short, ids.Length);

        var logits = state.AppendAllLogits(ids);

        LogitComparison.AssertClose(new ReferenceTransformer(family.Model.Weights).Forward(ids), logits, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Append_GreedyContinuation_MatchesReferenceArgmax(string name)
    {
        const int NewTokens = 4;
        var family = families.Get(name);
        var reference = new ReferenceTransformer(family.Model.Weights);
        var sequence = family.Case.PromptIds().ToList();
        using var model = EdgeInfiniteModel.Load(family.PackageDirectory);
        using var state = model.CreateState(Route.Short, sequence.Count + NewTokens);

        var logits = state.Append(sequence.ToArray());
        for (int step = 0; step < NewTokens; step++)
        {
            double[] expected = reference.Forward(sequence)[^1];
            LogitComparison.AssertClose([expected], logits, Tolerance);
            int next = LogitComparison.ArgMax(logits);
            Assert.Equal(LogitComparison.ArgMax(expected), next);
            sequence.Add(next);
            logits = state.Append([next]);
        }

        Assert.Equal(family.Case.PromptLength + NewTokens, state.TokenCount);
    }
}
