using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>Reads a checkpoint's tensors into <see cref="TransformerWeights"/>, mapping each family's names and fused layouts.</summary>
public static class TransformerWeightsReader
{
    /// <summary>Reads all weights, checking every shape against the config.</summary>
    /// <param name="checkpoint">The checkpoint.</param>
    /// <param name="progress">Receives the fraction of layers read.</param>
    /// <param name="cancellationToken">Cancels between layers.</param>
    /// <returns>The weights.</returns>
    public static TransformerWeights Read(HfCheckpoint checkpoint, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var a = checkpoint.Config.Architecture;
        var embedding = checkpoint.Read("model.embed_tokens.weight", a.VocabSize, a.HiddenSize);
        var layers = new List<LayerWeights>(a.NumLayers);
        for (int i = 0; i < a.NumLayers; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            layers.Add(ReadLayer(checkpoint, a, $"model.layers.{i}."));
            progress?.Report((i + 1.0) / (a.NumLayers + 1));
        }

        // Some tied checkpoints still carry lm_head.weight; tie_word_embeddings decides, as in transformers.
        var lmHead = a.TieWordEmbeddings ? embedding : checkpoint.Read("lm_head.weight", a.VocabSize, a.HiddenSize);
        var weights = new TransformerWeights
        {
            Architecture = a,
            Embedding = embedding,
            Layers = layers,
            FinalNorm = checkpoint.Read("model.norm.weight", a.HiddenSize),
            LmHead = lmHead,
        };
        progress?.Report(1.0);
        return weights;
    }

    private static LayerWeights ReadLayer(HfCheckpoint c, ModelArchitecture a, string p)
    {
        int d = a.HiddenSize;
        int qOut = a.NumHeads * a.HeadDim;
        int kvOut = a.NumKvHeads * a.HeadDim;
        int inter = a.IntermediateSize;
        float[] q, k, v, gate, up;
        float[]? qb = null, kb = null, vb = null;
        if (a.Family == ModelFamily.Phi3)
        {
            // qkv_proj rows are [q; k; v], gate_up_proj rows are [gate; up].
            var qkv = c.Read(p + "self_attn.qkv_proj.weight", qOut + 2 * kvOut, d);
            q = qkv.AsSpan(0, qOut * d).ToArray();
            k = qkv.AsSpan(qOut * d, kvOut * d).ToArray();
            v = qkv.AsSpan((qOut + kvOut) * d, kvOut * d).ToArray();
            var gateUp = c.Read(p + "mlp.gate_up_proj.weight", 2 * inter, d);
            gate = gateUp.AsSpan(0, inter * d).ToArray();
            up = gateUp.AsSpan(inter * d, inter * d).ToArray();
        }
        else
        {
            q = c.Read(p + "self_attn.q_proj.weight", qOut, d);
            k = c.Read(p + "self_attn.k_proj.weight", kvOut, d);
            v = c.Read(p + "self_attn.v_proj.weight", kvOut, d);
            qb = OptionalBias(c, p + "self_attn.q_proj.bias", qOut);
            kb = OptionalBias(c, p + "self_attn.k_proj.bias", kvOut);
            vb = OptionalBias(c, p + "self_attn.v_proj.bias", kvOut);
            gate = c.Read(p + "mlp.gate_proj.weight", inter, d);
            up = c.Read(p + "mlp.up_proj.weight", inter, d);
        }

        if (a.Family == ModelFamily.Qwen2 && (qb is null || kb is null || vb is null))
        {
            throw new InvalidDataException($"Checkpoint '{c.Directory}' is qwen2 but lacks the q/k/v biases of layer '{p}'.");
        }

        return new LayerWeights
        {
            InputNorm = c.Read(p + "input_layernorm.weight", d),
            QWeight = q,
            KWeight = k,
            VWeight = v,
            QBias = qb,
            KBias = kb,
            VBias = vb,
            OWeight = c.Read(p + "self_attn.o_proj.weight", d, qOut),
            OBias = OptionalBias(c, p + "self_attn.o_proj.bias", d),
            QNorm = a.QkNorm ? c.Read(p + "self_attn.q_norm.weight", a.HeadDim) : null,
            KNorm = a.QkNorm ? c.Read(p + "self_attn.k_norm.weight", a.HeadDim) : null,
            PostAttentionNorm = c.Read(p + "post_attention_layernorm.weight", d),
            GateWeight = gate,
            UpWeight = up,
            DownWeight = c.Read(p + "mlp.down_proj.weight", d, inter),
        };
    }

    private static float[]? OptionalBias(HfCheckpoint c, string name, int size) =>
        c.Contains(name) ? c.Read(name, size) : null;
}
