namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The checks of <see cref="PackageConfig.Validate"/>: every section present, every dimension in range, every sum and
/// product that sizes a buffer computed in checked 64-bit arithmetic, and settings that would silently produce NaN (a
/// non-positive RoPE base, an ε that is 0 in float32, a negative RMSNorm ε, a non-positive rope-scaling factor) refused
/// by name.
/// </summary>
internal static class PackageConfigValidator
{
    public static void Validate(PackageConfig config, string source)
    {
        void Require(bool ok, string field, object? value, string rule)
        {
            if (!ok)
            {
                throw new InvalidDataException($"'{source}': {field} = {value ?? "null"} is invalid: {rule}.");
            }
        }

        Require(config.FormatVersion == PackageConfig.CurrentFormatVersion, "formatVersion", config.FormatVersion, $"this library reads version {PackageConfig.CurrentFormatVersion}");
        Require(!string.IsNullOrWhiteSpace(config.Revision), "revision", config.Revision, "must be set (the converter writes a new one for every package)");
        Require(config.Name is not null, "name", null, "must be a string");
        var a = config.Architecture;
        Require(a is not null, "architecture", null, "it is required");
        Require(Enum.IsDefined(a!.Family), "architecture.family", a.Family, "must be llama, mistral, qwen2, qwen3 or phi3");
        Require(a.VocabSize is > 0 and <= PackageLimits.MaxVocabSize, "architecture.vocabSize", a.VocabSize, $"must be in 1..{PackageLimits.MaxVocabSize}");
        Require(a.HiddenSize is > 0 and <= PackageLimits.MaxHiddenSize, "architecture.hiddenSize", a.HiddenSize, $"must be in 1..{PackageLimits.MaxHiddenSize}");
        Require(a.IntermediateSize is > 0 and <= PackageLimits.MaxIntermediateSize, "architecture.intermediateSize", a.IntermediateSize, $"must be in 1..{PackageLimits.MaxIntermediateSize}");
        Require(a.NumLayers is > 0 and <= PackageLimits.MaxLayers, "architecture.numLayers", a.NumLayers, $"must be in 1..{PackageLimits.MaxLayers}");
        Require(a.NumHeads is > 0 and <= PackageLimits.MaxHeads, "architecture.numHeads", a.NumHeads, $"must be in 1..{PackageLimits.MaxHeads}");
        Require(a.NumKvHeads > 0 && a.NumKvHeads <= a.NumHeads && a.NumHeads % a.NumKvHeads == 0, "architecture.numKvHeads", a.NumKvHeads, "must divide numHeads");
        Require(a.HeadDim > 0 && a.HeadDim <= PackageLimits.MaxHeadDim && a.HeadDim % 16 == 0, "architecture.headDim", a.HeadDim, $"must be a positive multiple of 16 up to {PackageLimits.MaxHeadDim} (GroupQueryAttention with rotary)");
        Require(double.IsFinite(a.RmsNormEps) && (float)a.RmsNormEps > 0 && a.RmsNormEps < 1, "architecture.rmsNormEps", a.RmsNormEps, "must be in (0, 1) and not 0 in float32 (0 or less gives NaN for a zero row)");
        Require(double.IsFinite(a.RopeTheta) && a.RopeTheta > 0 && (float)a.RopeTheta > 0, "architecture.ropeTheta", a.RopeTheta, "must be a finite positive number (the RoPE base; 0 or less gives NaN rotations)");
        Require(a.MaxPositionEmbeddings > 0, "architecture.maxPositionEmbeddings", a.MaxPositionEmbeddings, "must be positive");
        if (a.RopeScaling is { } rs)
        {
            Require(rs.Type == "llama3", "architecture.ropeScaling.type", rs.Type, "must be llama3");
            Require(double.IsFinite(rs.Factor) && rs.Factor > 0, "architecture.ropeScaling.factor", rs.Factor, "must be a finite positive number");
            Require(double.IsFinite(rs.LowFreqFactor) && rs.LowFreqFactor > 0, "architecture.ropeScaling.lowFreqFactor", rs.LowFreqFactor, "must be a finite positive number");
            Require(double.IsFinite(rs.HighFreqFactor) && rs.HighFreqFactor > rs.LowFreqFactor, "architecture.ropeScaling.highFreqFactor", rs.HighFreqFactor, "must be finite and larger than lowFreqFactor (their difference divides)");
            Require(rs.OriginalMaxPositionEmbeddings > 0, "architecture.ropeScaling.originalMaxPositionEmbeddings", rs.OriginalMaxPositionEmbeddings, "must be positive");
        }

        var l = config.LongRoute;
        Require(l is not null, "longRoute", null, "it is required");
        Require(l!.SinkTokens >= 0 && l.SinkTokens <= PackageLimits.MaxPositions, "longRoute.sinkTokens", l.SinkTokens, $"must be in 0..{PackageLimits.MaxPositions}");
        Require(l.SegmentTokens > 0 && l.SegmentTokens <= PackageLimits.MaxPositions, "longRoute.segmentTokens", l.SegmentTokens, $"must be in 1..{PackageLimits.MaxPositions}");
        Require(l.WindowTokens >= l.SegmentTokens && l.WindowTokens <= PackageLimits.MaxPositions && l.WindowTokens % l.SegmentTokens == 0, "longRoute.windowTokens", l.WindowTokens, $"must be a positive multiple of segmentTokens ({l.SegmentTokens}) up to {PackageLimits.MaxPositions}");
        Require(double.IsFinite(l.Epsilon) && (float)l.Epsilon > 0 && l.Epsilon < 1, "longRoute.epsilon", l.Epsilon, "must be in (0, 1) and not 0 in float32 (the memory read divides by σ(q)·z + ε)");
        Require(Enum.IsDefined(l.UpdateRule), "longRoute.updateRule", l.UpdateRule, "must be delta or linear");
        Require(Enum.IsDefined(l.FeatureMap), "longRoute.featureMap", l.FeatureMap, "must be eluPlusOne, l2Normalized or exponential");
        Require(l.FeatureScale > 0 && l.FeatureScale <= ExponentialFeatures.MaxScale, "longRoute.featureScale", l.FeatureScale, $"must be in (0, {ExponentialFeatures.MaxScale}]");
        Require(config.MaxPositions > 0 && config.MaxPositions <= PackageLimits.MaxPositions, "maxPositions", config.MaxPositions, $"must be in 1..{PackageLimits.MaxPositions}");

        // Summed in 64 bits: S + W + L near int.MaxValue must fail here, not wrap around and pass.
        long longCapacity = (long)l.SinkTokens + l.WindowTokens + l.SegmentTokens;
        Require(config.MaxPositions >= longCapacity, "maxPositions", config.MaxPositions, $"must cover sink + window + segment ({longCapacity})");
        Require(l.RouteThreshold > 0 && l.RouteThreshold <= config.MaxPositions, "longRoute.routeThreshold", l.RouteThreshold, $"must be in 1..maxPositions ({config.MaxPositions})");

        // Every buffer the engine allocates from these values must be a valid array.
        long chunkLogits = ((long)l.SinkTokens + l.SegmentTokens) * a.VocabSize;
        Require(chunkLogits <= Array.MaxLength, "longRoute.sinkTokens + segmentTokens", l.SinkTokens + (long)l.SegmentTokens, $"times vocabSize ({a.VocabSize}) must fit one logits buffer ({Array.MaxLength} floats)");
        long memoryFloats = (long)a.NumKvHeads * a.HeadDim * a.HeadDim;
        Require(memoryFloats <= Array.MaxLength, "architecture.numKvHeads × headDim²", memoryFloats, "must fit one memory buffer");
        long cacheFloats = (long)config.MaxPositions * a.NumKvHeads * a.HeadDim;
        Require(cacheFloats <= Array.MaxLength, "maxPositions × numKvHeads × headDim", cacheFloats, $"must fit one KV cache buffer ({Array.MaxLength} floats)");
        Require((long)a.NumHeads * a.HeadDim <= PackageLimits.MaxHiddenSize * 4L, "architecture.numHeads × headDim", (long)a.NumHeads * a.HeadDim, $"must be at most {PackageLimits.MaxHiddenSize * 4L}");

        var t = config.Tokens;
        Require(t is not null, "tokens", null, "it is required");
        Require(t!.EosTokenIds is not null, "tokens.eosTokenIds", null, "must be a list (it may be empty)");
        Require(t.EosTokenIds!.Count <= PackageLimits.MaxEosTokenIds, "tokens.eosTokenIds", t.EosTokenIds.Count + " ids", $"must list at most {PackageLimits.MaxEosTokenIds}");
        foreach (int eos in t.EosTokenIds)
        {
            Require(eos >= 0 && eos < a.VocabSize, "tokens.eosTokenIds", eos, $"must be in 0..{a.VocabSize - 1}");
        }

        Require(t.BosTokenId is null || (t.BosTokenId >= 0 && t.BosTokenId < a.VocabSize), "tokens.bosTokenId", t.BosTokenId, $"must be in 0..{a.VocabSize - 1}");
        Require(t.PadTokenId is null || (t.PadTokenId >= 0 && t.PadTokenId < a.VocabSize), "tokens.padTokenId", t.PadTokenId, $"must be in 0..{a.VocabSize - 1}");

        var f = config.Files;
        Require(f is not null, "files", null, "it is required");
        Require(!string.IsNullOrWhiteSpace(f!.ChunkGraph), "files.chunkGraph", f.ChunkGraph, "must name a file");
        Require(!string.IsNullOrWhiteSpace(f.Weights), "files.weights", f.Weights, "must name a file");
        Require(!string.IsNullOrWhiteSpace(f.DecoderGraph), "files.decoderGraph", f.DecoderGraph, "must name a file");
        Require(!string.IsNullOrWhiteSpace(f.GenAiConfig), "files.genAiConfig", f.GenAiConfig, "must name a file");
        Require(f.Tokenizer is null || !string.IsNullOrWhiteSpace(f.Tokenizer), "files.tokenizer", f.Tokenizer, "must name a file or be null");
    }
}
