using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.SemanticKernel;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Semantic Kernel execution settings for EdgeInfinite. JSON names are snake_case (<c>max_tokens</c>, <c>temperature</c>,
/// <c>top_p</c>, <c>top_k</c>, <c>seed</c>, <c>stop_sequences</c>, <c>repetition_penalty</c>, <c>route</c>, <c>memory</c>);
/// unset values (<see langword="null"/>) keep the connector's defaults. <c>max_tokens</c> counts output tokens only.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
public sealed class EdgeInfinitePromptExecutionSettings : PromptExecutionSettings
{
    private static readonly JsonSerializerOptions s_readPermissive = new()
    {
        AllowTrailingCommas = true,
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    private int? _maxTokens;
    private float? _temperature;
    private float? _topP;
    private int? _topK;
    private long? _seed;
    private IList<string>? _stopSequences;
    private float? _repetitionPenalty;
    private string? _route;
    private bool? _memory;
    private object? _responseFormat;

    /// <summary>Gets or sets the maximum number of output tokens (default 512).</summary>
    [JsonPropertyName("max_tokens")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? MaxTokens
    {
        get => _maxTokens;
        set
        {
            ThrowIfFrozen();
            _maxTokens = value;
        }
    }

    /// <summary>Gets or sets the sampling temperature; 0 is greedy (default 1).</summary>
    [JsonPropertyName("temperature")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? Temperature
    {
        get => _temperature;
        set
        {
            ThrowIfFrozen();
            _temperature = value;
        }
    }

    /// <summary>Gets or sets the nucleus probability mass, in (0, 1] (default 1: off).</summary>
    [JsonPropertyName("top_p")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? TopP
    {
        get => _topP;
        set
        {
            ThrowIfFrozen();
            _topP = value;
        }
    }

    /// <summary>Gets or sets the number of most likely tokens to sample from; 0 is off (default).</summary>
    [JsonPropertyName("top_k")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? TopK
    {
        get => _topK;
        set
        {
            ThrowIfFrozen();
            _topK = value;
        }
    }

    /// <summary>Gets or sets the sampling seed (default random).</summary>
    [JsonPropertyName("seed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Seed
    {
        get => _seed;
        set
        {
            ThrowIfFrozen();
            _seed = value;
        }
    }

    /// <summary>Gets or sets strings that end the output (the text is cut before them).</summary>
    [JsonPropertyName("stop_sequences")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<string>? StopSequences
    {
        get => _stopSequences;
        set
        {
            ThrowIfFrozen();
            _stopSequences = value;
        }
    }

    /// <summary>Gets or sets the repetition penalty; 1 is off (default).</summary>
    [JsonPropertyName("repetition_penalty")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? RepetitionPenalty
    {
        get => _repetitionPenalty;
        set
        {
            ThrowIfFrozen();
            _repetitionPenalty = value;
        }
    }

    /// <summary>Gets or sets the route: <c>auto</c> (default: short when the request fits under the package's threshold), <c>short</c> or <c>long</c>.</summary>
    [JsonPropertyName("route")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Route
    {
        get => _route;
        set
        {
            ThrowIfFrozen();
            _route = value;
        }
    }

    /// <summary>Gets or sets a value indicating whether the long route uses its compressed memory (default <see langword="true"/>); <see langword="false"/> keeps only sink + window.</summary>
    [JsonPropertyName("memory")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Memory
    {
        get => _memory;
        set
        {
            ThrowIfFrozen();
            _memory = value;
        }
    }

    /// <summary>
    /// Gets or sets the response format: <c>"json_object"</c> (any JSON value), <c>"text"</c>, a JSON Schema (as a
    /// <see cref="JsonElement"/>), a <see cref="Microsoft.Extensions.AI.ChatResponseFormat"/>, or a .NET <see cref="Type"/>
    /// whose schema the output must follow. Enforced by constrained decoding (docs/structured-output.md).
    /// </summary>
    [JsonPropertyName("response_format")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? ResponseFormat
    {
        get => _responseFormat;
        set
        {
            ThrowIfFrozen();
            _responseFormat = value;
        }
    }

    /// <summary>
    /// Converts any execution settings into <see cref="EdgeInfinitePromptExecutionSettings"/>: <see langword="null"/> gives
    /// defaults, an instance of this type is returned as is, anything else is converted through its JSON form (so
    /// <c>ExtensionData</c> keys such as <c>max_tokens</c> become typed properties); the function choice behavior is kept.
    /// </summary>
    /// <param name="executionSettings">The settings.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">The settings cannot be read as EdgeInfinite settings.</exception>
    public static EdgeInfinitePromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? executionSettings)
    {
        switch (executionSettings)
        {
            case null:
                return new EdgeInfinitePromptExecutionSettings();
            case EdgeInfinitePromptExecutionSettings settings:
                return settings;
        }

        EdgeInfinitePromptExecutionSettings? converted;
        try
        {
            string json = JsonSerializer.Serialize(executionSettings, executionSettings.GetType());
            converted = JsonSerializer.Deserialize<EdgeInfinitePromptExecutionSettings>(json, s_readPermissive);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            // ArgumentException: System.Text.Json refuses to write a NaN or an infinity (an extension value of the
            // caller's settings) with a message that names neither the settings nor the value.
            throw new ArgumentException($"The execution settings cannot be read as EdgeInfinite settings: {ex.Message}", nameof(executionSettings), ex);
        }

        if (converted is null)
        {
            throw new ArgumentException("The execution settings cannot be read as EdgeInfinite settings (they serialise to null).", nameof(executionSettings));
        }

        converted.FunctionChoiceBehavior = executionSettings.FunctionChoiceBehavior;
        return converted;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting by its JSON name.</summary>
    public void Validate()
    {
        if (MaxTokens is < 0)
        {
            throw new ArgumentOutOfRangeException("max_tokens", MaxTokens, "max_tokens must be zero or more (it counts output tokens).");
        }

        if (Temperature is { } t && !(t >= 0 && float.IsFinite(t)))
        {
            throw new ArgumentOutOfRangeException("temperature", t, "temperature must be a finite number ≥ 0 (0 is greedy).");
        }

        if (TopP is { } p && !(p > 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException("top_p", p, "top_p must be in (0, 1].");
        }

        if (TopK is < 0)
        {
            throw new ArgumentOutOfRangeException("top_k", TopK, "top_k must be zero (off) or positive.");
        }

        if (RepetitionPenalty is { } r && !(r > 0 && float.IsFinite(r)))
        {
            throw new ArgumentOutOfRangeException("repetition_penalty", r, "repetition_penalty must be a finite number > 0 (1 is off).");
        }

        if (StopSequences is { } stops && stops.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("stop_sequences must not contain null or empty strings.", "stop_sequences");
        }

        if (ResponseFormat is not (null or Type or JsonElement { ValueKind: JsonValueKind.Object } or Microsoft.Extensions.AI.ChatResponseFormat or "json_object" or "text" or JsonElement { ValueKind: JsonValueKind.String }))
        {
            throw new ArgumentException($"response_format = '{ResponseFormat}' is invalid: use \"json_object\", \"text\", a JSON Schema, a ChatResponseFormat or a Type.", "response_format");
        }

        if (ResponseFormat is JsonElement { ValueKind: JsonValueKind.String } format && format.GetString() is not ("json_object" or "text"))
        {
            throw new ArgumentException($"response_format = '{format.GetString()}' is invalid: use \"json_object\" or \"text\".", "response_format");
        }

        if (Route is { } route && !(route.Equals("auto", StringComparison.OrdinalIgnoreCase) || route.Equals("short", StringComparison.OrdinalIgnoreCase) || route.Equals("long", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"route = '{route}' is invalid: use auto, short or long.", "route");
        }
    }

    /// <inheritdoc/>
    public override void Freeze()
    {
        if (IsFrozen)
        {
            return;
        }

        base.Freeze();
        if (_stopSequences is not null)
        {
            _stopSequences = new ReadOnlyCollection<string>([.. _stopSequences]);
        }
    }

    /// <inheritdoc/>
    public override PromptExecutionSettings Clone() => new EdgeInfinitePromptExecutionSettings
    {
        ServiceId = ServiceId,
        ModelId = ModelId,
        FunctionChoiceBehavior = FunctionChoiceBehavior,
        ExtensionData = ExtensionData is null ? null : new Dictionary<string, object>(ExtensionData),
        MaxTokens = MaxTokens,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        Seed = Seed,
        StopSequences = StopSequences is null ? null : [.. StopSequences],
        RepetitionPenalty = RepetitionPenalty,
        Route = Route,
        Memory = Memory,
        ResponseFormat = ResponseFormat,
    };
}
