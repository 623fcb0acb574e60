using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeInfinite.Onnx.Packaging;

/// <summary>The contents of a package's <c>edgeinfinite.json</c>: versioned, validated on load.</summary>
public sealed record PackageConfig
{
    /// <summary>The file name of the config inside a package folder.</summary>
    public const string FileName = "edgeinfinite.json";

    /// <summary>The format version this library writes; it reads this one and every earlier one.</summary>
    /// <remarks>Version 2 added <see cref="Weights"/>; a version-1 package is float32.</remarks>
    public const int CurrentFormatVersion = 2;

    /// <summary>The largest <c>edgeinfinite.json</c> read (1 MiB; a real one is about 1 KB).</summary>
    public const int MaxFileBytes = 1 << 20;

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Gets the format version.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Gets a display name for the model.</summary>
    public string Name { get; init; } = "model";

    /// <summary>Gets the architecture.</summary>
    public required ModelArchitecture Architecture { get; init; }

    /// <summary>Gets the long-route settings.</summary>
    public LongRouteSettings LongRoute { get; init; } = new();

    /// <summary>Gets the special tokens.</summary>
    public TokenSettings Tokens { get; init; } = new();

    /// <summary>Gets the weight precision (float32 when the field is absent, as in every version-1 package).</summary>
    public WeightSettings Weights { get; init; } = WeightSettings.Float32;

    /// <summary>Gets the file names.</summary>
    public PackageFiles Files { get; init; } = new();

    /// <summary>Gets a value that changes whenever the package's weights change (conversion, gate training); saved states record it.</summary>
    public string Revision { get; init; } = string.Empty;

    /// <summary>Gets the number of positions the graphs' rotary caches cover (the largest cache the short route can hold).</summary>
    public required int MaxPositions { get; init; }

    /// <summary>Serialises to JSON.</summary>
    /// <returns>The JSON text.</returns>
    /// <exception cref="InvalidDataException">A number is infinite or NaN (JSON has neither); the message names the field.</exception>
    /// <remarks>The converter, the quantizer and the gate writer only write configs that passed <see cref="Validate"/>, which already refuses these.</remarks>
    public string ToJson()
    {
        var a = Architecture;
        RequireFinite(a?.RopeTheta ?? 0, "architecture.ropeTheta");
        RequireFinite(a?.RmsNormEps ?? 0, "architecture.rmsNormEps");
        if (a?.RopeScaling is { } rs)
        {
            RequireFinite(rs.Factor, "architecture.ropeScaling.factor");
            RequireFinite(rs.LowFreqFactor, "architecture.ropeScaling.lowFreqFactor");
            RequireFinite(rs.HighFreqFactor, "architecture.ropeScaling.highFreqFactor");
        }

        RequireFinite(LongRoute?.FeatureScale ?? 0, "longRoute.featureScale");
        RequireFinite(LongRoute?.Epsilon ?? 0, "longRoute.epsilon");
        return JsonSerializer.Serialize(this, s_json);

        // Without this, System.Text.Json's "... cannot be written as valid JSON" names neither the file nor the field.
        static void RequireFinite(double value, string field)
        {
            if (!double.IsFinite(value))
            {
                throw new InvalidDataException($"{FileName}: {field} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} cannot be written (JSON has no infinity or NaN).");
            }
        }
    }

    /// <summary>Reads and validates a config file.</summary>
    /// <param name="path">The path of <c>edgeinfinite.json</c>.</param>
    /// <returns>The config.</returns>
    /// <exception cref="InvalidDataException">The JSON is malformed or a value is out of range; the message names the field.</exception>
    public static PackageConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The package has no {FileName} at '{path}'.", path);
        }

        PackageConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<PackageConfig>(UntrustedFile.ReadAllBytes(path, MaxFileBytes, FileName), s_json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not a valid {FileName}: {ex.Message}", ex);
        }

        if (config is null)
        {
            throw new InvalidDataException($"'{path}' is empty.");
        }

        config.Validate(path);
        return config;
    }

    /// <summary>Checks every value and throws naming the first bad field.</summary>
    /// <param name="source">The file the config came from, for messages.</param>
    /// <exception cref="InvalidDataException">A value is missing, out of range or inconsistent; the message names the file and the field.</exception>
    public void Validate(string source) => PackageConfigValidator.Validate(this, source);
}
