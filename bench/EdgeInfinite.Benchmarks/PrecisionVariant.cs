using System.Globalization;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Benchmarks;

/// <summary>
/// A weight precision to measure, named like <c>fp32</c>, <c>int4-b32-a4</c>, <c>int4-b32-a4-nopack</c> (ONNX Runtime
/// pre-packing off) or <c>int4-b32-a4-fe</c> (float32 embedding table, <see cref="ModelBuilder.GraphLayoutOptions.FloatEmbeddings"/>).
/// </summary>
internal sealed record PrecisionVariant(string Name, WeightSettings Weights, bool PrePacking, bool FloatEmbeddings)
{
    public static PrecisionVariant Parse(string name)
    {
        var parts = name.Split('-');
        var precision = WeightSettings.ParsePrecision(parts[0]);
        int? block = null, level = null;
        bool prePacking = precision != WeightPrecision.Fp32;
        bool floatEmbeddings = false;
        foreach (string part in parts.Skip(1))
        {
            if (part == "nopack")
            {
                prePacking = false;
            }
            else if (part == "fe")
            {
                floatEmbeddings = true;
            }
            else if (part == "pack")
            {
                prePacking = true;
            }
            else if (part.StartsWith('b'))
            {
                block = ArgReader.ParseInt($"--variants ({part})", part[1..]);
            }
            else if (part.StartsWith('a'))
            {
                level = ArgReader.ParseInt($"--variants ({part})", part[1..]);
            }
            else
            {
                throw new ArgumentException($"Variant '{name}': unknown part '{part}' (use b<block>, a<level>, pack, nopack, fe).");
            }
        }

        return new PrecisionVariant(name, WeightSettings.For(precision, block, level), prePacking, floatEmbeddings && precision != WeightPrecision.Fp32);
    }

    /// <summary>Gets the package folder name (pre-packing is a session option, not a package property).</summary>
    public string PackageName => Weights.IsQuantized ? $"{GraphWeightInfo.Name(Weights.Precision)}-b{Weights.BlockSize}-a{Weights.AccuracyLevel}{(FloatEmbeddings ? "-fe" : string.Empty)}" : "fp32";
}
