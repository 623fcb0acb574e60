using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Names and lays out a <see cref="TinyModel"/>'s weights as its family's Hugging Face checkpoint does.</summary>
public static class HfTensorLayout
{
    /// <summary>Lists the checkpoint tensors: Phi-3 fuses q/k/v into qkv_proj and gate/up into gate_up_proj (rows stacked).</summary>
    /// <param name="model">The model.</param>
    /// <returns>The tensors in checkpoint order.</returns>
    public static List<TestTensor> Tensors(TinyModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var s = model.Spec;
        var w = model.Weights;
        int d = s.HiddenSize, inter = s.IntermediateSize, qOut = s.NumHeads * s.HeadDim, kvOut = s.NumKvHeads * s.HeadDim;
        var list = new List<TestTensor> { new("model.embed_tokens.weight", [s.VocabSize, d], w.Embedding) };
        for (int i = 0; i < s.NumLayers; i++)
        {
            LayerWeights l = w.Layers[i];
            string p = $"model.layers.{i}.";
            list.Add(new(p + "input_layernorm.weight", [d], l.InputNorm));
            if (s.Family == ModelFamily.Phi3)
            {
                list.Add(new(p + "self_attn.qkv_proj.weight", [qOut + (2 * kvOut), d], [.. l.QWeight, .. l.KWeight, .. l.VWeight]));
            }
            else
            {
                list.Add(new(p + "self_attn.q_proj.weight", [qOut, d], l.QWeight));
                list.Add(new(p + "self_attn.k_proj.weight", [kvOut, d], l.KWeight));
                list.Add(new(p + "self_attn.v_proj.weight", [kvOut, d], l.VWeight));
            }

            if (l.QBias is not null && l.KBias is not null && l.VBias is not null)
            {
                list.Add(new(p + "self_attn.q_proj.bias", [qOut], l.QBias));
                list.Add(new(p + "self_attn.k_proj.bias", [kvOut], l.KBias));
                list.Add(new(p + "self_attn.v_proj.bias", [kvOut], l.VBias));
            }

            list.Add(new(p + "self_attn.o_proj.weight", [d, qOut], l.OWeight));
            if (l.QNorm is not null && l.KNorm is not null)
            {
                list.Add(new(p + "self_attn.q_norm.weight", [s.HeadDim], l.QNorm));
                list.Add(new(p + "self_attn.k_norm.weight", [s.HeadDim], l.KNorm));
            }

            list.Add(new(p + "post_attention_layernorm.weight", [d], l.PostAttentionNorm));
            if (s.Family == ModelFamily.Phi3)
            {
                list.Add(new(p + "mlp.gate_up_proj.weight", [2 * inter, d], [.. l.GateWeight, .. l.UpWeight]));
            }
            else
            {
                list.Add(new(p + "mlp.gate_proj.weight", [inter, d], l.GateWeight));
                list.Add(new(p + "mlp.up_proj.weight", [inter, d], l.UpWeight));
            }

            list.Add(new(p + "mlp.down_proj.weight", [d, inter], l.DownWeight));
        }

        list.Add(new("model.norm.weight", [d], w.FinalNorm));
        if (!s.TieWordEmbeddings)
        {
            list.Add(new("lm_head.weight", [s.VocabSize, d], w.LmHead));
        }

        return list;
    }
}
