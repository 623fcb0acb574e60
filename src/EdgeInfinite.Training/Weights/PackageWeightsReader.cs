using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;
using Onnx;

namespace EdgeInfinite.Training.Weights;

/// <summary>
/// Reads a package's weights back from its chunk graph's external-data initializers and undoes the graph layout
/// (packed and transposed QKV and gate/up matrices, transposed o/down projections), so a package is all the
/// trainer needs.
/// </summary>
public static class PackageWeightsReader
{
    /// <summary>Reads a package.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <returns>The weights and gates.</returns>
    /// <exception cref="InvalidDataException">A tensor is missing, not external, or has the wrong size; the message names it.</exception>
    public static PackageWeights Read(string packageDirectory)
    {
        var package = ModelPackage.Open(packageDirectory);
        var a = package.Config.Architecture;
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(package.ChunkGraphPath));
        var initializers = model.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        using var data = new FileStream(Path.Combine(package.Directory, package.Config.Files.Weights), FileMode.Open, FileAccess.Read, FileShare.Read);
        var reader = new ExternalTensorReader(initializers, data, package.ChunkGraphPath);

        int d = a.HiddenSize, hd = a.HeadDim, qOut = a.NumHeads * hd, kvOut = a.NumKvHeads * hd, inter = a.IntermediateSize;
        var embedding = reader.Read("model.embed_tokens.weight", (long)a.VocabSize * d);
        var layers = new List<LayerWeights>(a.NumLayers);
        var gateW = new List<float[]>(a.NumLayers);
        var gateB = new List<float[]>(a.NumLayers);
        for (int i = 0; i < a.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            var qkv = reader.Read(p + "self_attn.qkv_proj.weight", (long)d * (qOut + 2 * kvOut));
            var qkvBias = reader.ReadOptional(p + "self_attn.qkv_proj.bias", qOut + 2 * kvOut);
            var gateUp = reader.Read(p + "mlp.gate_up_proj.weight", (long)d * 2 * inter);
            layers.Add(new LayerWeights
            {
                InputNorm = reader.Read(p + "input_layernorm.weight", d),
                QWeight = Columns(qkv, d, qOut + 2 * kvOut, 0, qOut),
                KWeight = Columns(qkv, d, qOut + 2 * kvOut, qOut, kvOut),
                VWeight = Columns(qkv, d, qOut + 2 * kvOut, qOut + kvOut, kvOut),
                QBias = qkvBias?.AsSpan(0, qOut).ToArray(),
                KBias = qkvBias?.AsSpan(qOut, kvOut).ToArray(),
                VBias = qkvBias?.AsSpan(qOut + kvOut, kvOut).ToArray(),
                OWeight = Columns(reader.Read(p + "self_attn.o_proj.weight", (long)qOut * d), qOut, d, 0, d),
                OBias = reader.ReadOptional(p + "self_attn.o_proj.bias", d),
                QNorm = a.QkNorm ? reader.Read(p + "self_attn.q_norm.weight", hd) : null,
                KNorm = a.QkNorm ? reader.Read(p + "self_attn.k_norm.weight", hd) : null,
                PostAttentionNorm = reader.Read(p + "post_attention_layernorm.weight", d),
                GateWeight = Columns(gateUp, d, 2 * inter, 0, inter),
                UpWeight = Columns(gateUp, d, 2 * inter, inter, inter),
                DownWeight = Columns(reader.Read(p + "mlp.down_proj.weight", (long)inter * d), inter, d, 0, d),
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
            LmHead = a.TieWordEmbeddings ? embedding : reader.Read("lm_head.weight", (long)a.VocabSize * d),
        };
        return new PackageWeights { Config = package.Config, Weights = weights, GateWeights = gateW, GateBiases = gateB };
    }

    /// <summary>
    /// Takes columns <c>[start, start + count)</c> of a row-major <c>[rows, cols]</c> matrix (the graph's <c>[in, out]</c>
    /// layout) and returns them transposed, as the Hugging Face <c>[count, rows]</c> (<c>[out, in]</c>) matrix.
    /// </summary>
    private static float[] Columns(float[] m, int rows, int cols, int start, int count)
    {
        var result = new float[(long)count * rows];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < count; c++)
            {
                result[(long)c * rows + r] = m[(long)r * cols + start + c];
            }
        }

        return result;
    }
}
