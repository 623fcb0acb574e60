using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Reference;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>Phi-3's fused projections against a Llama-layout twin of the same unfused weights, so a wrong split shows.</summary>
public sealed class Phi3FusedLayoutTests
{
    [Fact]
    public void AppendAllLogits_Phi3FusedCheckpoint_MatchesReferenceOfUnfusedLlamaTwin()
    {
        using var temp = new TempFolder();
        var phi3 = TinyModel.Create(FamilyCases.Phi3.Spec);
        var llamaTwin = phi3.WithSpec(FamilyCases.Phi3.Spec with { ModelType = "llama" });
        phi3.WriteCheckpoint(temp.Combine("phi3"));
        llamaTwin.WriteCheckpoint(temp.Combine("llama-twin"));
        new PackageBuilder().Convert(temp.Combine("phi3"), temp.Combine("package"));
        var twinWeights = TransformerWeightsReader.Read(HfCheckpoint.Open(temp.Combine("llama-twin")));
        int[] ids = FamilyCases.Phi3.PromptIds();
        using var model = EdgeInfiniteModel.Load(temp.Combine("package"));
        using var state = model.CreateState(Route.Short, ids.Length);

        var logits = state.AppendAllLogits(ids);

        var fusedNames = HfCheckpoint.Open(temp.Combine("phi3")).TensorNames;
        Assert.Contains("model.layers.0.self_attn.qkv_proj.weight", fusedNames);
        Assert.Contains("model.layers.0.mlp.gate_up_proj.weight", fusedNames);
        Assert.DoesNotContain("model.layers.0.self_attn.q_proj.weight", fusedNames);
        LogitComparison.AssertClose(new ReferenceTransformer(twinWeights).Forward(ids), logits, 1e-4);
    }
}
