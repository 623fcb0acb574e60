using System.Text.Json;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>Reads a Hugging Face <c>config.json</c> (as the families ship it on the Hub) into a <see cref="ModelArchitecture"/>.</summary>
public static class HfConfigReader
{
    /// <summary>Reads and validates a config file.</summary>
    /// <param name="path">The path of <c>config.json</c>.</param>
    /// <returns>The architecture and the special token ids the config names.</returns>
    /// <exception cref="InvalidDataException">The file is not valid JSON, names an unsupported family, or a field is missing or out of range.</exception>
    public static HfModelConfig Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The checkpoint has no config.json at '{path}'.", path);
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(UntrustedFile.ReadAllBytes(path, HfCheckpoint.MaxConfigBytes, "config.json"));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }

        using (doc)
        {
            return Parse(doc.RootElement, path);
        }
    }

    private static HfModelConfig Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            // Without this, the first field lookup fails with JsonElement's "requires an element of type 'Object'".
            throw new InvalidDataException($"'{path}' holds {root.ValueKind.ToString().ToLowerInvariant()}, not a config object.");
        }

        var r = new FieldReader(root, path);
        string modelType = r.String("model_type");
        ModelFamily family = modelType switch
        {
            "llama" => ModelFamily.Llama,
            "mistral" => ModelFamily.Mistral,
            "qwen2" => ModelFamily.Qwen2,
            "qwen3" => ModelFamily.Qwen3,
            "phi3" => ModelFamily.Phi3,
            _ => throw new InvalidDataException($"'{path}': model_type '{modelType}' is not supported (supported: llama, mistral, qwen2, qwen3, phi3)."),
        };

        string act = r.OptionalString("hidden_act") ?? "silu";
        if (act != "silu")
        {
            throw new InvalidDataException($"'{path}': hidden_act '{act}' is not supported (only silu).");
        }

        int hidden = Limit(r.PositiveInt("hidden_size"), "hidden_size", PackageLimits.MaxHiddenSize, path);
        int heads = Limit(r.PositiveInt("num_attention_heads"), "num_attention_heads", PackageLimits.MaxHeads, path);
        int kvHeads = Limit(r.OptionalPositiveInt("num_key_value_heads") ?? heads, "num_key_value_heads", heads, path);
        if (heads % kvHeads != 0)
        {
            throw new InvalidDataException($"'{path}': num_attention_heads {heads} is not a multiple of num_key_value_heads {kvHeads}.");
        }

        int headDim = Limit(r.OptionalPositiveInt("head_dim") ?? (hidden % heads == 0
            ? hidden / heads
            : throw new InvalidDataException($"'{path}': hidden_size {hidden} is not a multiple of num_attention_heads {heads} and head_dim is not given.")), "head_dim", PackageLimits.MaxHeadDim, path);
        if (headDim % 2 != 0)
        {
            throw new InvalidDataException($"'{path}': head_dim {headDim} must be even for rotary embeddings.");
        }

        double partialRotary = r.OptionalDouble("partial_rotary_factor") ?? 1.0;
        if (partialRotary != 1.0)
        {
            throw new InvalidDataException($"'{path}': partial_rotary_factor {partialRotary} is not supported (only 1.0).");
        }

        // transformers 5 may nest the rope settings under rope_parameters; older configs keep them at the top level.
        JsonElement? ropeParams = r.OptionalObject("rope_parameters");
        double theta = r.OptionalDouble("rope_theta")
            ?? (ropeParams is { } rp ? new FieldReader(rp, path + " rope_parameters").OptionalDouble("rope_theta") : null)
            ?? 10000.0;
        RopeScaling? scaling = ReadRopeScaling(r.OptionalObject("rope_scaling") ?? ropeParams, path);

        var arch = new ModelArchitecture
        {
            Family = family,
            VocabSize = Limit(r.PositiveInt("vocab_size"), "vocab_size", PackageLimits.MaxVocabSize, path),
            HiddenSize = hidden,
            IntermediateSize = Limit(r.PositiveInt("intermediate_size"), "intermediate_size", PackageLimits.MaxIntermediateSize, path),
            NumLayers = Limit(r.PositiveInt("num_hidden_layers"), "num_hidden_layers", PackageLimits.MaxLayers, path),
            NumHeads = heads,
            NumKvHeads = kvHeads,
            HeadDim = headDim,
            RmsNormEps = r.OptionalDouble("rms_norm_eps") is { } eps && !(eps > 0 && (float)eps > 0 && eps < 1)
                ? throw new InvalidDataException($"'{path}': rms_norm_eps {eps} must be in (0, 1) and not 0 in float32 (0 or less gives NaN).")
                : r.OptionalDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = theta > 0 && double.IsFinite(theta) ? theta : throw new InvalidDataException($"'{path}': rope_theta {theta} must be a finite positive number (0 or less gives NaN rotations)."),
            RopeScaling = scaling,
            MaxPositionEmbeddings = r.OptionalPositiveInt("max_position_embeddings") ?? 4096,
            TieWordEmbeddings = r.OptionalBool("tie_word_embeddings") ?? false,
            QkNorm = family == ModelFamily.Qwen3,
        };

        return new HfModelConfig(arch, r.OptionalIntList("bos_token_id"), r.OptionalIntList("eos_token_id"), r.OptionalIntList("pad_token_id"));
    }

    private static RopeScaling? ReadRopeScaling(JsonElement? element, string path)
    {
        if (element is not { ValueKind: JsonValueKind.Object } s)
        {
            return null;
        }

        var r = new FieldReader(s, path + " rope_scaling");
        string? type = r.OptionalString("rope_type") ?? r.OptionalString("type");
        if (type is null or "default")
        {
            return null;
        }

        if (type != "llama3")
        {
            throw new InvalidDataException($"'{path}': rope_scaling type '{type}' is not supported (supported: llama3).");
        }

        double factor = r.OptionalDouble("factor") ?? throw new InvalidDataException($"'{path}': rope_scaling.factor is missing.");
        double low = r.OptionalDouble("low_freq_factor") ?? 1.0;
        double high = r.OptionalDouble("high_freq_factor") ?? 4.0;
        if (!(factor > 0) || !double.IsFinite(factor))
        {
            throw new InvalidDataException($"'{path}': rope_scaling.factor {factor} must be a finite positive number (0 or less gives NaN frequencies).");
        }

        if (!(low > 0) || !(high > low) || !double.IsFinite(high))
        {
            throw new InvalidDataException($"'{path}': rope_scaling low_freq_factor {low} and high_freq_factor {high} must be positive with high > low (their difference divides).");
        }

        return new RopeScaling(factor, low, high, r.OptionalPositiveInt("original_max_position_embeddings") ?? 8192);
    }

    private static int Limit(int value, string field, int max, string path) =>
        value <= max ? value : throw new InvalidDataException($"'{path}': {field} {value} is larger than {max}, the limit of this converter.");
}
