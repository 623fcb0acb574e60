using System.Globalization;
using System.Text.Json;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SemanticKernel.StructuredOutput;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel;

/// <summary>The engine settings of one request, read and validated from <see cref="ChatOptions"/>.</summary>
internal sealed class RequestSettings
{
    /// <summary>The output budget when <see cref="ChatOptions.MaxOutputTokens"/> is not set.</summary>
    public const int DefaultMaxOutputTokens = 512;

    private RequestSettings(GenerationOptions generation, bool memoryEnabled, IReadOnlyList<AIFunctionDeclaration> tools, IProgress<PrefillProgress>? progress = null)
    {
        Generation = generation;
        MemoryEnabled = memoryEnabled;
        Tools = tools;
        Progress = progress;
    }

    /// <summary>Gets the text the system message gets for the response format and the tool mode, if any.</summary>
    public string? SystemAddition { get; private init; }

    /// <summary>Gets the tool mode.</summary>
    public ToolRequirement ToolRequirement { get; private init; }

    /// <summary>Gets the functions whose parameter schemas are outside the supported subset (their arguments are any JSON object), with why.</summary>
    public IReadOnlyList<string> UnconstrainedFunctions { get; private init; } = [];

    /// <summary>Gets the receiver of prefill progress, if any.</summary>
    public IProgress<PrefillProgress>? Progress { get; }

    /// <summary>Gets the generation options (route included).</summary>
    public GenerationOptions Generation { get; }

    /// <summary>Gets a value indicating whether the long route uses the compressed memory.</summary>
    public bool MemoryEnabled { get; }

    /// <summary>Gets the functions offered to the model.</summary>
    public IReadOnlyList<AIFunctionDeclaration> Tools { get; }

    /// <summary>Reads the options.</summary>
    /// <param name="options">The chat options.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public static RequestSettings From(ChatOptions? options)
    {
        var g = new GenerationOptions { MaxNewTokens = DefaultMaxOutputTokens };
        if (options is null)
        {
            return new RequestSettings(g, true, []);
        }

        if (options.MaxOutputTokens is { } max)
        {
            g.MaxNewTokens = max >= 0 ? max : throw new ArgumentOutOfRangeException(nameof(options), max, "ChatOptions.MaxOutputTokens (max_tokens) must be zero or more.");
        }

        if (options.Temperature is { } t)
        {
            g.Temperature = t >= 0 && float.IsFinite(t) ? t : throw new ArgumentOutOfRangeException(nameof(options), t, "ChatOptions.Temperature (temperature) must be a finite number ≥ 0.");
        }

        if (options.TopP is { } p)
        {
            g.TopP = p > 0 && p <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(options), p, "ChatOptions.TopP (top_p) must be in (0, 1].");
        }

        if (options.TopK is { } k)
        {
            g.TopK = k >= 0 ? k : throw new ArgumentOutOfRangeException(nameof(options), k, "ChatOptions.TopK (top_k) must be zero (off) or positive.");
        }

        if (options.Seed is { } seed)
        {
            g.Seed = unchecked((int)(seed ^ (seed >> 32)));
        }

        if (options.StopSequences is { Count: > 0 } stops)
        {
            g.StopSequences = stops.Any(string.IsNullOrEmpty)
                ? throw new ArgumentException("ChatOptions.StopSequences (stop_sequences) must not contain empty strings.", nameof(options))
                : [.. stops];
        }

        var extra = options.AdditionalProperties;
        g.Route = ParseRoute(Lookup(extra, EdgeInfiniteMetadataKeys.Route));
        bool memory = ParseMemory(Lookup(extra, EdgeInfiniteMetadataKeys.Memory));
        if (Lookup(extra, EdgeInfiniteMetadataKeys.RepetitionPenalty) is { } rp)
        {
            float penalty = ToSingle(rp);
            g.RepetitionPenalty = penalty > 0 && float.IsFinite(penalty)
                ? penalty
                : throw new ArgumentOutOfRangeException(nameof(options), penalty, $"{EdgeInfiniteMetadataKeys.RepetitionPenalty} must be a finite number > 0.");
        }

        var tools = options.ToolMode is NoneChatToolMode || options.Tools is null
            ? []
            : options.Tools.OfType<AIFunctionDeclaration>().ToList();
        var progress = Lookup(extra, EdgeInfiniteMetadataKeys.PrefillProgress) switch
        {
            null => null,
            IProgress<PrefillProgress> receiver => receiver,
            var other => throw new ArgumentException($"{EdgeInfiniteMetadataKeys.PrefillProgress} must be an IProgress<PrefillProgress>, not {other.GetType().Name}.", nameof(options)),
        };

        // Constrained decoding: the response format and the tool mode decide the output's grammar.
        var requirement = ToolRequirement.Auto;
        var callable = tools;
        string? required = null;
        if (options.ToolMode is RequiredChatToolMode mode)
        {
            if (tools.Count == 0)
            {
                throw new ArgumentException("ChatOptions.ToolMode requires a function call, but ChatOptions.Tools offers no function.", nameof(options));
            }

            required = mode.RequiredFunctionName;
            requirement = required is null ? ToolRequirement.RequireAny : ToolRequirement.RequireSpecific;
            if (required is not null)
            {
                callable = [tools.FirstOrDefault(t => t.Name == required) ?? throw new ArgumentException($"ChatOptions.ToolMode requires the function '{required}', which ChatOptions.Tools does not offer.", nameof(options))];
            }
        }

        var format = options.ResponseFormat as ChatResponseFormatJson;
        var unconstrained = new List<string>();
        g.Constraint = OutputGrammar.Build(callable, requirement, format, unconstrained);
        string?[] additions = [format is null || requirement != ToolRequirement.Auto ? null : ResponseFormatPrompt.Describe(format), ResponseFormatPrompt.Describe(requirement, required)];
        return new RequestSettings(g, memory, tools, progress)
        {
            ToolRequirement = requirement,
            UnconstrainedFunctions = unconstrained,
            SystemAddition = additions.Any(a => a is not null) ? string.Join("\n\n", additions.Where(a => a is not null)) : null,
        };
    }

    /// <summary>Parses a route name.</summary>
    /// <param name="value">auto, short, long (any case), a <see cref="Route"/>, or <see langword="null"/> (auto).</param>
    /// <returns>The route.</returns>
    public static Route ParseRoute(object? value) => value switch
    {
        null => Route.Auto,
        Route r => r,
        JsonElement { ValueKind: JsonValueKind.String } e => ParseRoute(e.GetString()),
        string s when s.Equals("auto", StringComparison.OrdinalIgnoreCase) => Route.Auto,
        string s when s.Equals("short", StringComparison.OrdinalIgnoreCase) => Route.Short,
        string s when s.Equals("long", StringComparison.OrdinalIgnoreCase) => Route.Long,
        _ => throw new ArgumentException($"{EdgeInfiniteMetadataKeys.Route} (route) = '{value}' is invalid: use auto, short or long.", nameof(value)),
    };

    /// <summary>Parses the memory switch.</summary>
    /// <param name="value">on/off, true/false, or <see langword="null"/> (on).</param>
    /// <returns>Whether memory is on.</returns>
    public static bool ParseMemory(object? value) => value switch
    {
        null => true,
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True or JsonValueKind.False } e => e.GetBoolean(),
        JsonElement { ValueKind: JsonValueKind.String } e => ParseMemory(e.GetString()),
        string s when s.Equals("on", StringComparison.OrdinalIgnoreCase) || s.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        string s when s.Equals("off", StringComparison.OrdinalIgnoreCase) || s.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw new ArgumentException($"{EdgeInfiniteMetadataKeys.Memory} (memory) = '{value}' is invalid: use on or off.", nameof(value)),
    };

    private static float ToSingle(object value)
    {
        try
        {
            return value is JsonElement e ? e.GetSingle() : Convert.ToSingle(value, CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or InvalidOperationException or OverflowException)
        {
            throw new ArgumentException($"{EdgeInfiniteMetadataKeys.RepetitionPenalty} (repetition_penalty) = '{value}' is not a number.", nameof(value), ex);
        }
    }

    private static object? Lookup(AdditionalPropertiesDictionary? extra, string key)
    {
        if (extra is null)
        {
            return null;
        }

        // Semantic Kernel's settings arrive under their JSON names ("route", "memory", "repetition_penalty").
        return extra.TryGetValue(key, out var value) ? value
            : extra.TryGetValue(key["edgeinfinite.".Length..], out value) ? value
            : null;
    }
}
