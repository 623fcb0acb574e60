using System.Globalization;

namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The values the chunk graph bakes in as constants (the memory's feature map σ, its scale β, the memory ε, the rotary
/// cache length and base), recorded by the model builder in the graph's <c>metadata_props</c> and compared with
/// <c>edgeinfinite.json</c> when a package loads: the engine's memory writes read the config, the graph's memory reads
/// use the constants, so an edit of one without the other would make them disagree silently.
/// </summary>
public static class ChunkGraphConstants
{
    /// <summary>The metadata key of the feature map (its <c>edgeinfinite.json</c> spelling).</summary>
    public const string FeatureMapKey = "edgeinfinite.feature_map";

    /// <summary>The metadata key of β (float32, round-trip format).</summary>
    public const string FeatureScaleKey = "edgeinfinite.feature_scale";

    /// <summary>The metadata key of the memory ε (float32, round-trip format).</summary>
    public const string EpsilonKey = "edgeinfinite.memory_epsilon";

    /// <summary>The metadata key of the rotary cache length (positions).</summary>
    public const string RopePositionsKey = "edgeinfinite.rope_positions";

    /// <summary>The metadata key of the RoPE base.</summary>
    public const string RopeThetaKey = "edgeinfinite.rope_theta";

    /// <summary>The metadata entries a chunk graph built for <paramref name="config"/> carries.</summary>
    /// <param name="config">The package config.</param>
    /// <returns>Key and value pairs.</returns>
    public static IReadOnlyList<KeyValuePair<string, string>> For(PackageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var l = config.LongRoute;
        return
        [
            new(FeatureMapKey, FeatureMapName(l.FeatureMap)),
            new(FeatureScaleKey, ((float)l.FeatureScale).ToString("R", CultureInfo.InvariantCulture)),
            new(EpsilonKey, ((float)l.Epsilon).ToString("R", CultureInfo.InvariantCulture)),
            new(RopePositionsKey, config.MaxPositions.ToString(CultureInfo.InvariantCulture)),
            new(RopeThetaKey, config.Architecture.RopeTheta.ToString("R", CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>
    /// Compares a graph's recorded constants with the config; a graph that records none (written before they were
    /// recorded) is accepted as it is.
    /// </summary>
    /// <param name="metadata">The graph's custom metadata.</param>
    /// <param name="config">The package config.</param>
    /// <param name="graphFile">The graph's file name, for messages.</param>
    /// <param name="configFile">The config's path, for messages.</param>
    /// <exception cref="InvalidDataException">A recorded value differs from the config's.</exception>
    public static void Check(IReadOnlyDictionary<string, string> metadata, PackageConfig config, string graphFile, string configFile)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(config);
        var fields = new Dictionary<string, string>
        {
            [FeatureMapKey] = "longRoute.featureMap",
            [FeatureScaleKey] = "longRoute.featureScale",
            [EpsilonKey] = "longRoute.epsilon",
            [RopePositionsKey] = "maxPositions",
            [RopeThetaKey] = "architecture.ropeTheta",
        };
        foreach (var (key, expected) in For(config))
        {
            if (metadata.TryGetValue(key, out string? baked) && baked != expected)
            {
                throw new InvalidDataException($"'{configFile}': {fields[key]} = {expected} disagrees with the value {baked} that '{graphFile}' was built with ({key}); the graph's constants and the config must agree (convert the package again instead of editing one of them).");
            }
        }
    }

    private static string FeatureMapName(MemoryFeatureMap map) => map switch
    {
        MemoryFeatureMap.EluPlusOne => "eluPlusOne",
        MemoryFeatureMap.L2Normalized => "l2Normalized",
        _ => "exponential",
    };
}
