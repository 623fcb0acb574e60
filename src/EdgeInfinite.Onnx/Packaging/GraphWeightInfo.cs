using System.Globalization;

namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The weight precision a graph was built with, as the model builder records it in the graph's
/// <c>metadata_props</c> (derived from the initializers and ops it wrote); a graph without the entries is float32.
/// </summary>
public sealed record GraphWeightInfo(WeightPrecision Precision, int BlockSize, int AccuracyLevel)
{
    /// <summary>The metadata key of the precision (<c>fp32</c>, <c>int8</c>, <c>int4</c>).</summary>
    public const string PrecisionKey = "edgeinfinite.weights.precision";

    /// <summary>The metadata key of the block size.</summary>
    public const string BlockSizeKey = "edgeinfinite.weights.block_size";

    /// <summary>The metadata key of the <c>MatMulNBits</c> accuracy level.</summary>
    public const string AccuracyLevelKey = "edgeinfinite.weights.accuracy_level";

    /// <summary>Reads the entries from a graph's metadata.</summary>
    /// <param name="metadata">The graph's <c>metadata_props</c>.</param>
    /// <returns>The info; float32 when the entries are absent.</returns>
    /// <exception cref="InvalidDataException">An entry is present but unreadable.</exception>
    public static GraphWeightInfo Read(IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!metadata.TryGetValue(PrecisionKey, out var precisionText))
        {
            return new GraphWeightInfo(WeightPrecision.Fp32, 0, 0);
        }

        WeightPrecision precision;
        try
        {
            precision = WeightSettings.ParsePrecision(precisionText);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"Graph metadata '{PrecisionKey}' = '{precisionText}' is not a precision.", ex);
        }

        return new GraphWeightInfo(precision, Int(metadata, BlockSizeKey), Int(metadata, AccuracyLevelKey));
    }

    /// <summary>Gets the metadata entries of a setting.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The key/value pairs.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> Entries(WeightSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return
        [
            new(PrecisionKey, Name(settings.Precision)),
            new(BlockSizeKey, settings.BlockSize.ToString(CultureInfo.InvariantCulture)),
            new(AccuracyLevelKey, settings.AccuracyLevel.ToString(CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>Describes a setting as messages show it, e.g. <c>int4 (block size 32, accuracy level 4)</c>.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The text.</returns>
    public static string Describe(WeightSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new GraphWeightInfo(settings.Precision, settings.BlockSize, settings.AccuracyLevel).ToString();
    }

    /// <summary>Gets the lower-case name of a precision.</summary>
    /// <param name="precision">The precision.</param>
    /// <returns><c>fp32</c>, <c>int8</c> or <c>int4</c>.</returns>
    public static string Name(WeightPrecision precision) => precision.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public override string ToString() =>
        Precision == WeightPrecision.Fp32 ? "fp32" : $"{Name(Precision)} (block size {BlockSize}, accuracy level {AccuracyLevel})";

    private static int Int(IReadOnlyDictionary<string, string> metadata, string key) =>
        metadata.TryGetValue(key, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new InvalidDataException($"Graph metadata '{key}' is missing or not a number.");
}
