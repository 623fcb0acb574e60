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
    public string ToJson() => JsonSerializer.Serialize(this, s_json);

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
            config = JsonSerializer.Deserialize<PackageConfig>(File.ReadAllBytes(path), s_json);
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
    public void Validate(string source)
    {
        void Require(bool ok, string field, object? value, string rule)
        {
            if (!ok)
            {
                throw new InvalidDataException($"'{source}': {field} = {value ?? "null"} is invalid: {rule}.");
            }
        }

        Require(FormatVersion is >= 1 and <= CurrentFormatVersion, "formatVersion", FormatVersion, $"this library reads versions 1 to {CurrentFormatVersion}");
        Require(!string.IsNullOrWhiteSpace(Revision), "revision", Revision, "must be set (the converter writes a new one for every package)");
        var a = Architecture;
        Require(a is not null, "architecture", null, "it is required");
        Require(a!.VocabSize > 0, "architecture.vocabSize", a.VocabSize, "must be positive");
        Require(a.HiddenSize > 0, "architecture.hiddenSize", a.HiddenSize, "must be positive");
        Require(a.NumLayers > 0, "architecture.numLayers", a.NumLayers, "must be positive");
        Require(a.NumHeads > 0, "architecture.numHeads", a.NumHeads, "must be positive");
        Require(a.NumKvHeads > 0 && a.NumHeads % a.NumKvHeads == 0, "architecture.numKvHeads", a.NumKvHeads, "must divide numHeads");
        Require(a.HeadDim > 0 && a.HeadDim % 16 == 0, "architecture.headDim", a.HeadDim, "must be a positive multiple of 16 (GroupQueryAttention with rotary)");
        Require(Weights is not null, "weights", null, "it must be an object when present");
        Require(FormatVersion >= 2 || !Weights!.IsQuantized, "weights.precision", Weights!.Precision, "quantized weights need formatVersion 2");
        Weights.Validate(a, source);
        var l = LongRoute;
        Require(l.SinkTokens >= 0, "longRoute.sinkTokens", l.SinkTokens, "must be zero or more");
        Require(l.SegmentTokens > 0, "longRoute.segmentTokens", l.SegmentTokens, "must be positive");
        Require(l.WindowTokens >= l.SegmentTokens && l.WindowTokens % l.SegmentTokens == 0, "longRoute.windowTokens", l.WindowTokens, $"must be a positive multiple of segmentTokens ({l.SegmentTokens})");
        Require(l.Epsilon > 0 && l.Epsilon < 1, "longRoute.epsilon", l.Epsilon, "must be in (0, 1)");
        Require(Enum.IsDefined(l.UpdateRule), "longRoute.updateRule", l.UpdateRule, "must be delta or linear");
        Require(Enum.IsDefined(l.FeatureMap), "longRoute.featureMap", l.FeatureMap, "must be eluPlusOne, l2Normalized or exponential");
        Require(l.FeatureScale > 0 && l.FeatureScale <= ExponentialFeatures.MaxScale, "longRoute.featureScale", l.FeatureScale, $"must be in (0, {ExponentialFeatures.MaxScale}]");
        Require(MaxPositions >= l.SinkTokens + l.WindowTokens + l.SegmentTokens, "maxPositions", MaxPositions, $"must cover sink + window + segment ({l.SinkTokens + l.WindowTokens + l.SegmentTokens})");
        Require(l.RouteThreshold > 0 && l.RouteThreshold <= MaxPositions, "longRoute.routeThreshold", l.RouteThreshold, $"must be in 1..maxPositions ({MaxPositions})");
        foreach (int eos in Tokens.EosTokenIds)
        {
            Require(eos >= 0 && eos < a.VocabSize, "tokens.eosTokenIds", eos, $"must be in 0..{a.VocabSize - 1}");
        }

        Require(!string.IsNullOrWhiteSpace(Files.ChunkGraph), "files.chunkGraph", Files.ChunkGraph, "must name a file");
        Require(!string.IsNullOrWhiteSpace(Files.Weights), "files.weights", Files.Weights, "must name a file");
    }
}
