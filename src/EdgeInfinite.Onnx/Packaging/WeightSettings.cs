using System.Text.Json.Serialization;

namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The precision of a package's weights (config field <c>weights</c>, format version 2). Packages without the field
/// are float32. The memory path (M, z and the gate) is float32 whatever the precision.
/// </summary>
public sealed record WeightSettings
{
    /// <summary>The block size written when none is given (the one ONNX Runtime GenAI's builder uses for int4).</summary>
    public const int DefaultBlockSize = 32;

    /// <summary>The <c>MatMulNBits</c> accuracy level written when none is given (int8 activations, the fastest on CPU; docs/quantization.md).</summary>
    public const int DefaultAccuracyLevel = 4;

    /// <summary>Gets the float32 setting (what a package without the field has).</summary>
    public static WeightSettings Float32 { get; } = new();

    /// <summary>Gets the precision.</summary>
    public WeightPrecision Precision { get; init; } = WeightPrecision.Fp32;

    /// <summary>Gets the number of consecutive input-dimension weights that share one scale (0 for float32).</summary>
    public int BlockSize { get; init; }

    /// <summary>
    /// Gets the <c>MatMulNBits</c> <c>accuracy_level</c>: 0 (unset) or 1 computes in float32 on the dequantized weights;
    /// 4 quantizes the activations to int8 per block (faster, not exact). 0 for float32.
    /// </summary>
    public int AccuracyLevel { get; init; }

    /// <summary>Gets the bits per quantized weight (0 for float32).</summary>
    [JsonIgnore]
    public int Bits => Precision switch
    {
        WeightPrecision.Int8 => 8,
        WeightPrecision.Int4 => 4,
        _ => 0,
    };

    /// <summary>Gets a value indicating whether the weights are block-quantized.</summary>
    [JsonIgnore]
    public bool IsQuantized => Precision != WeightPrecision.Fp32;

    /// <summary>Creates the settings of a precision with the given (or default) block size and accuracy level.</summary>
    /// <param name="precision">The precision.</param>
    /// <param name="blockSize">The block size; <see langword="null"/> for <see cref="DefaultBlockSize"/>.</param>
    /// <param name="accuracyLevel">The accuracy level; <see langword="null"/> for <see cref="DefaultAccuracyLevel"/>.</param>
    /// <returns>The settings (float32 ignores block size and accuracy level).</returns>
    public static WeightSettings For(WeightPrecision precision, int? blockSize = null, int? accuracyLevel = null) =>
        precision == WeightPrecision.Fp32
            ? Float32
            : new WeightSettings { Precision = precision, BlockSize = blockSize ?? DefaultBlockSize, AccuracyLevel = accuracyLevel ?? DefaultAccuracyLevel };

    /// <summary>Parses a precision name as the command line and the config spell it: <c>fp32</c>, <c>int8</c> or <c>int4</c>.</summary>
    /// <param name="text">The name.</param>
    /// <returns>The precision.</returns>
    /// <exception cref="ArgumentException">The name is not one of the three.</exception>
    public static WeightPrecision ParsePrecision(string text) => text?.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => WeightPrecision.Fp32,
        "int8" => WeightPrecision.Int8,
        "int4" => WeightPrecision.Int4,
        _ => throw new ArgumentException($"Unknown weight precision '{text}': use fp32, int8 or int4."),
    };

    /// <summary>Checks the settings against an architecture; throws naming the first bad field.</summary>
    /// <param name="architecture">The architecture whose input dimensions must be whole blocks.</param>
    /// <param name="source">The file (or option) the settings came from, for messages.</param>
    /// <exception cref="InvalidDataException">A value is out of range or a dimension is not a multiple of the block size.</exception>
    public void Validate(ModelArchitecture architecture, string source)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        void Require(bool ok, string field, object value, string rule)
        {
            if (!ok)
            {
                throw new InvalidDataException($"'{source}': weights.{field} = {value} is invalid: {rule}.");
            }
        }

        Require(Enum.IsDefined(Precision), "precision", Precision, "must be fp32, int8 or int4");
        if (!IsQuantized)
        {
            Require(BlockSize == 0, "blockSize", BlockSize, "must be 0 for fp32 weights");
            Require(AccuracyLevel == 0, "accuracyLevel", AccuracyLevel, "must be 0 for fp32 weights");
            return;
        }

        Require(BlockSize >= 16 && (BlockSize & (BlockSize - 1)) == 0, "blockSize", BlockSize, "must be a power of two of at least 16 (MatMulNBits)");
        Require(AccuracyLevel is >= 0 and <= 4, "accuracyLevel", AccuracyLevel, "must be in 0..4 (MatMulNBits accuracy_level)");
        foreach (var (name, dim) in new[] { ("hiddenSize", architecture.HiddenSize), ("intermediateSize", architecture.IntermediateSize), ("numHeads·headDim", architecture.NumHeads * architecture.HeadDim) })
        {
            Require(dim % BlockSize == 0, "blockSize", BlockSize, $"architecture {name} {dim} is not a multiple of it");
        }
    }
}
