using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Packaging;

/// <summary>
/// Reads a package's weights back from its chunk graph's external-data initializers and undoes the graph layout
/// (packed and transposed QKV and gate/up matrices, transposed o/down projections), so a package is all the
/// trainer needs. A quantized package gives its dequantized weights, <c>(q − 2^(bits−1)) · scale</c> in float32: the
/// weights its graphs compute with. The initializers must be of the precision <c>edgeinfinite.json</c> records.
/// </summary>
public static class PackageWeightsReader
{
    /// <summary>Reads a package.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <returns>The weights and gates.</returns>
    /// <exception cref="InvalidDataException">A tensor is missing, not external, of another type or precision than the config records, or has the wrong size; the message names it.</exception>
    public static PackageWeights Read(string packageDirectory)
    {
        var package = ModelPackage.Open(packageDirectory);
        var a = package.Config.Architecture;
        var model = ChunkGraphFile.Read(package.ChunkGraphPath);
        var initializers = ChunkGraphFile.Initializers(model, package.ChunkGraphPath);
        using var data = new FileStream(Path.Combine(package.Directory, package.Config.Files.Weights), FileMode.Open, FileAccess.Read, FileShare.Read);
        var reader = new ExternalTensorReader(initializers, data, package.ChunkGraphPath);
        var matrices = new MatrixReader(reader, package.Config.Weights, package.ChunkGraphPath);

        int d = a.HiddenSize, hd = a.HeadDim, qOut = a.NumHeads * hd, kvOut = a.NumKvHeads * hd, inter = a.IntermediateSize;
        // A tied quantized head holds the embedding's bytes: dequantize them here, independently of the engine's lookup.
        bool engineEmbedding = model.Graph.Input.Any(i => i.Name == ChunkGraphContract.InputsEmbeds)
            && !initializers.ContainsKey($"model.embed_tokens.weight_Q{package.Config.Weights.Bits}");
        var embedding = engineEmbedding
            ? ReadEngineEmbedding(package, model)
            : matrices.Rows("model.embed_tokens.weight", a.VocabSize, d);
        var layers = new List<LayerWeights>(a.NumLayers);
        var gateW = new List<float[]>(a.NumLayers);
        var gateB = new List<float[]>(a.NumLayers);
        for (int i = 0; i < a.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            var qkv = matrices.Linear(p + "self_attn.qkv_proj.weight", qOut + 2 * kvOut, d);
            var qkvBias = reader.ReadOptional(p + "self_attn.qkv_proj.bias", qOut + 2 * kvOut);
            var gateUp = matrices.Linear(p + "mlp.gate_up_proj.weight", 2 * inter, d);
            layers.Add(new LayerWeights
            {
                InputNorm = reader.Read(p + "input_layernorm.weight", d),
                QWeight = qkv.AsSpan(0, qOut * d).ToArray(),
                KWeight = qkv.AsSpan(qOut * d, kvOut * d).ToArray(),
                VWeight = qkv.AsSpan((qOut + kvOut) * d, kvOut * d).ToArray(),
                QBias = qkvBias?.AsSpan(0, qOut).ToArray(),
                KBias = qkvBias?.AsSpan(qOut, kvOut).ToArray(),
                VBias = qkvBias?.AsSpan(qOut + kvOut, kvOut).ToArray(),
                OWeight = matrices.Linear(p + "self_attn.o_proj.weight", d, qOut),
                OBias = reader.ReadOptional(p + "self_attn.o_proj.bias", d),
                QNorm = a.QkNorm ? reader.Read(p + "self_attn.q_norm.weight", hd) : null,
                KNorm = a.QkNorm ? reader.Read(p + "self_attn.k_norm.weight", hd) : null,
                PostAttentionNorm = reader.Read(p + "post_attention_layernorm.weight", d),
                GateWeight = gateUp.AsSpan(0, inter * d).ToArray(),
                UpWeight = gateUp.AsSpan(inter * d, inter * d).ToArray(),
                DownWeight = matrices.Linear(p + "mlp.down_proj.weight", d, inter),
            });
            gateW.Add(reader.Read(PackageGates.WeightName(i), (long)d * a.NumHeads));
            gateB.Add(reader.Read(PackageGates.BiasName(i), a.NumHeads));
        }

        var weights = new TransformerWeights
        {
            Architecture = a,
            Embedding = embedding,
            Layers = layers,
            FinalNorm = reader.Read("model.norm.weight", d),
            // A tied head is the embedding's array unless a quantized package kept float32 embeddings (its head is quantized).
            LmHead = a.TieWordEmbeddings && !(package.Config.Weights.IsQuantized && matrices.HasFloat("model.embed_tokens.weight"))
                ? embedding
                : matrices.Head(a.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight", a.VocabSize, d),
        };
        return new PackageWeights { Config = package.Config, Weights = weights, GateWeights = gateW, GateBiases = gateB };
    }

    /// <summary>A quantized chunk graph takes its embedding rows from the engine: read them where its metadata says.</summary>
    private static float[] ReadEngineEmbedding(ModelPackage package, ModelProto model)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in model.MetadataProps)
        {
            metadata[entry.Key] = entry.Value;
        }

        using var embedding = QuantizedEmbedding.Open(package, metadata);
        return embedding.ReadAll();
    }
}
