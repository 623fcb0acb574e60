using System.CommandLine;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Cli.Commands;

/// <summary>The weight-precision options shared by <c>convert</c> and <c>quantize</c>.</summary>
internal static class PrecisionOptions
{
    public static Option<string> Precision(bool required = false) => new("--precision")
    {
        Description = "Weight precision: fp32, int8 or int4 (block-wise MatMulNBits; docs/quantization.md).",
        Required = required,
        DefaultValueFactory = _ => "fp32",
    };

    public static Option<int?> BlockSize() => new("--block-size")
    {
        Description = $"Weights per quantization block along the input dimension (power of two ≥ 16; default {WeightSettings.DefaultBlockSize}).",
    };

    public static Option<int?> AccuracyLevel() => new("--accuracy-level")
    {
        Description = $"MatMulNBits accuracy_level: 0/1 compute in float32 on the dequantized weights, 4 quantizes activations to int8 (default {WeightSettings.DefaultAccuracyLevel}).",
    };

    /// <summary>Reads the options; an unknown precision is an <see cref="ArgumentException"/> (one <c>error:</c> line).</summary>
    public static WeightSettings Read(ParseResult parse, Option<string> precision, Option<int?> blockSize, Option<int?> accuracyLevel)
    {
        var p = WeightSettings.ParsePrecision(parse.GetValue(precision) ?? "fp32");
        int? block = parse.GetValue(blockSize);
        int? level = parse.GetValue(accuracyLevel);
        if (p == WeightPrecision.Fp32 && (block is not null || level is not null))
        {
            throw new ArgumentException("--block-size and --accuracy-level apply to int8 and int4 only.");
        }

        return WeightSettings.For(p, block, level);
    }
}
