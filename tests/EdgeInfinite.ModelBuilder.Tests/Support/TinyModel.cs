using EdgeInfinite.ModelBuilder.Checkpoints;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>
/// A tiny model with known random weights, kept in canonical unfused form (separate q/k/v and gate/up), which the
/// tests write as a Hugging Face checkpoint of any family and also hand straight to the float64 reference.
/// </summary>
public sealed class TinyModel
{
    private TinyModel(TinyModelSpec spec, TransformerWeights weights)
    {
        Spec = spec;
        Weights = weights;
    }

    /// <summary>Gets the spec.</summary>
    public TinyModelSpec Spec { get; }

    /// <summary>Gets the weights, with the architecture built from the spec by hand.</summary>
    public TransformerWeights Weights { get; }

    /// <summary>Draws a model's weights from the spec's seed.</summary>
    /// <param name="spec">The spec.</param>
    /// <returns>The model.</returns>
    public static TinyModel Create(TinyModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var r = new WeightGenerator(spec.Seed);
        int d = spec.HiddenSize, inter = spec.IntermediateSize, qOut = spec.NumHeads * spec.HeadDim, kvOut = spec.NumKvHeads * spec.HeadDim;
        var embedding = r.Matrix(spec.VocabSize * d);
        var layers = new List<LayerWeights>();
        for (int i = 0; i < spec.NumLayers; i++)
        {
            layers.Add(new LayerWeights
            {
                InputNorm = r.Norm(d),
                QWeight = r.Matrix(qOut * d),
                KWeight = r.Matrix(kvOut * d),
                VWeight = r.Matrix(kvOut * d),
                QBias = spec.QkvBias ? r.Bias(qOut) : null,
                KBias = spec.QkvBias ? r.Bias(kvOut) : null,
                VBias = spec.QkvBias ? r.Bias(kvOut) : null,
                OWeight = r.Matrix(d * qOut),
                QNorm = spec.QkNorm ? r.Norm(spec.HeadDim) : null,
                KNorm = spec.QkNorm ? r.Norm(spec.HeadDim) : null,
                PostAttentionNorm = r.Norm(d),
                GateWeight = r.Matrix(inter * d),
                UpWeight = r.Matrix(inter * d),
                DownWeight = r.Matrix(d * inter),
            });
        }

        var finalNorm = r.Norm(d);
        var lmHead = spec.TieWordEmbeddings ? embedding : r.Matrix(spec.VocabSize * d);
        return new TinyModel(spec, new TransformerWeights
        {
            Architecture = spec.ToArchitecture(),
            Embedding = embedding,
            Layers = layers,
            FinalNorm = finalNorm,
            LmHead = lmHead,
        });
    }

    /// <summary>Returns the same weights under another spec (e.g. another model_type or no rope scaling).</summary>
    /// <param name="spec">The new spec; its dimensions must match.</param>
    /// <returns>The model.</returns>
    public TinyModel WithSpec(TinyModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new TinyModel(spec, new TransformerWeights
        {
            Architecture = spec.ToArchitecture(),
            Embedding = Weights.Embedding,
            Layers = Weights.Layers,
            FinalNorm = Weights.FinalNorm,
            LmHead = Weights.LmHead,
        });
    }

    /// <summary>Writes the model as a Hugging Face checkpoint folder of its family.</summary>
    /// <param name="directory">The folder (created).</param>
    public void WriteCheckpoint(string directory) =>
        CheckpointFolder.Write(directory, HfConfigJson.Create(Spec), HfTensorLayout.Tensors(this), Spec.Sharded);
}
