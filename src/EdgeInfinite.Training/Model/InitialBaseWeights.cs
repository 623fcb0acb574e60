using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// Weights a <see cref="Trainers.BasePretrainer"/> run starts from instead of its seeded random initialisation: a
/// package's base (its gates are not part of the base), in <see cref="TrainableLlama.ParameterNames"/> order.
/// </summary>
public sealed class InitialBaseWeights
{
    private InitialBaseWeights(BaseModelShape shape, IReadOnlyList<float[]> parameters, string description)
    {
        Shape = shape;
        Parameters = parameters;
        Description = description;
    }

    /// <summary>Gets the shape the weights belong to.</summary>
    public BaseModelShape Shape { get; }

    /// <summary>Gets the tensors in <see cref="TrainableLlama.ParameterNames"/> order.</summary>
    public IReadOnlyList<float[]> Parameters { get; }

    /// <summary>Gets the package's name and a SHA-256 of the values: a resumed run must start from the same weights.</summary>
    public string Description { get; }

    /// <summary>Reads the base of a package (a quantized one gives its dequantized weights).</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <returns>The weights and their shape.</returns>
    /// <exception cref="InvalidDataException">The package is not a Llama with tied embeddings, no biases and no QK norm (the model the trainer trains); the message names the package and the field.</exception>
    public static InitialBaseWeights FromPackage(string packageDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(packageDirectory);
        var package = PackageWeightsReader.Read(packageDirectory);
        var a = package.Config.Architecture;
        var w = package.Weights;
        string config = Path.Combine(Path.GetFullPath(packageDirectory), PackageConfig.FileName);
        void Require(bool ok, string field, object value, string expected)
        {
            if (!ok)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"{config}: {field} is {value}; the trainer continues only {expected}."));
            }
        }

        Require(a.Family == ModelFamily.Llama, "architecture.family", a.Family, "Llama models");
        Require(a.TieWordEmbeddings, "architecture.tie_word_embeddings", a.TieWordEmbeddings, "models with tied embeddings");
        Require(!a.QkNorm, "architecture.qk_norm", a.QkNorm, "models without QK norm");
        Require(a.RopeScaling is null, "architecture.rope_scaling", a.RopeScaling!, "models without RoPE scaling");
        Require(a.HeadDim * a.NumHeads == a.HiddenSize, "architecture.head_dim", a.HeadDim, "models whose heads split the hidden size");
        Require(w.Layers.All(l => l.QBias is null && l.KBias is null && l.VBias is null && l.OBias is null), "a layer's attention bias", "present", "models without biases");
        var shape = new BaseModelShape
        {
            VocabSize = a.VocabSize,
            HiddenSize = a.HiddenSize,
            Layers = a.NumLayers,
            Heads = a.NumHeads,
            KvHeads = a.NumKvHeads,
            IntermediateSize = a.IntermediateSize,
            RopeTheta = a.RopeTheta,
            RmsNormEps = a.RmsNormEps,
            MaxPositions = a.MaxPositionEmbeddings,
        };
        try
        {
            shape.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{config}: the architecture cannot be trained here ({e.Message})", e);
        }

        var parameters = new List<float[]> { w.Embedding };
        foreach (var l in w.Layers)
        {
            parameters.AddRange([l.InputNorm, l.QWeight, l.KWeight, l.VWeight, l.OWeight, l.PostAttentionNorm, l.GateWeight, l.UpWeight, l.DownWeight]);
        }

        parameters.Add(w.FinalNorm);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in parameters)
        {
            hash.AppendData(MemoryMarshal.AsBytes(p.AsSpan()));
        }

        string sha = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        return new InitialBaseWeights(shape, parameters, string.Create(CultureInfo.InvariantCulture, $"package '{package.Config.Name}' base weights sha256 {sha}"));
    }
}
