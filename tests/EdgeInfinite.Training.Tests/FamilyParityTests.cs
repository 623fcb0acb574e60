using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using Xunit.Abstractions;
using static TorchSharp.torch;
using EdgeInfinite.Training.Model;

namespace EdgeInfinite.Training.Tests;

/// <summary>
/// Every supported family option (Mistral, Qwen3 q/k norm with explicit head_dim, Phi-3 fused projections, llama3 rope
/// scaling, tied + sharded Llama, Qwen2 biases) on self-written checkpoints: the package reader is exact and the
/// TorchSharp model matches the ONNX engine on both routes with random gates.
/// </summary>
public sealed class FamilyParityTests(Fixtures fixtures, ITestOutputHelper output) : IClassFixture<Fixtures>
{
    public static TheoryData<string> Families => [.. FamilyCases.All.Keys];

    [Theory]
    [MemberData(nameof(Families))]
    public void Family_RandomGates_ReaderExactAndBothRoutesMatchEngineWithin1e4Relative(string family)
    {
        var familyCase = FamilyCases.All[family];
        var tiny = TinyModel.Create(familyCase.Spec);
        string checkpoint = Path.Combine(fixtures.Root, "family-" + family);
        string package = checkpoint + "-package";
        string gated = checkpoint + "-gated";
        tiny.WriteCheckpoint(checkpoint);
        new PackageBuilder().Convert(checkpoint, package, new ConversionOptions { LongRoute = Fixtures.Settings });
        var (w, b) = Fixtures.RandomGates(tiny.Weights.Architecture, seed: familyCase.Spec.Seed);
        PackageGates.WriteCopy(package, gated, w, b);
        var ids = new WeightGenerator(familyCase.Spec.Seed + 1000).TokenIds(4 + 9 * 16 + 7, familyCase.Spec.VocabSize);

        var read = PackageWeightsReader.Read(gated);
        using var model = EdgeInfiniteModel.Load(gated);
        using var shortState = model.CreateState(Route.Short, ids.Length);
        using var longState = model.CreateState(Route.Long, 0);
        var engineShort = shortState.AppendAllLogits(ids);
        var engineLong = longState.AppendAllLogits(ids);
        using var transformer = new GatedTransformer(read.Weights, read.GateWeights, read.GateBiases);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        var torchShort = transformer.ForwardShort(input).contiguous().data<float>().ToArray();
        var torchLong = transformer.ForwardLong(input, read.Config.LongRoute).Logits!.contiguous().data<float>().ToArray();

        AssertSameWeights(tiny, read);
        Assert.Equal(w, read.GateWeights);
        double shortError = RelativeError(engineShort, torchShort), longError = RelativeError(engineLong, torchLong);
        output.WriteLine($"{family}: short {shortError:E2}, long {longError:E2} ({longState.TokensInMemory} tokens in memory)");
        Assert.True(shortError <= 1e-4, $"short route: max relative error {shortError:E2}");
        Assert.True(longError <= 1e-4, $"long route: max relative error {longError:E2}");
    }

    private static void AssertSameWeights(TinyModel tiny, PackageWeights read)
    {
        var e = tiny.Weights;
        var a = read.Weights;
        Assert.Equal(e.Embedding, a.Embedding);
        Assert.Equal(e.LmHead, a.LmHead);
        for (int i = 0; i < e.Layers.Count; i++)
        {
            Assert.Equal(e.Layers[i].QWeight, a.Layers[i].QWeight);
            Assert.Equal(e.Layers[i].KWeight, a.Layers[i].KWeight);
            Assert.Equal(e.Layers[i].VWeight, a.Layers[i].VWeight);
            Assert.Equal(e.Layers[i].OWeight, a.Layers[i].OWeight);
            Assert.Equal(e.Layers[i].QBias, a.Layers[i].QBias);
            Assert.Equal(e.Layers[i].QNorm, a.Layers[i].QNorm);
            Assert.Equal(e.Layers[i].KNorm, a.Layers[i].KNorm);
            Assert.Equal(e.Layers[i].GateWeight, a.Layers[i].GateWeight);
            Assert.Equal(e.Layers[i].UpWeight, a.Layers[i].UpWeight);
            Assert.Equal(e.Layers[i].DownWeight, a.Layers[i].DownWeight);
        }
    }

    private static double RelativeError(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(v => Math.Abs((double)v));
        return expected.Zip(actual).Max(p => Math.Abs((double)p.First - p.Second)) / scale;
    }
}
