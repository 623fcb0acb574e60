using System.Text.Encodings.Web;
using System.Text.Json;
using EdgeInfinite.Onnx.Constraints;
using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.StructuredOutput;

/// <summary>
/// The grammar a request's output must follow: the response format (any JSON value, or an instance of its schema)
/// and the tool calls (<c>&lt;tool_call&gt;\n{"name":"f","arguments":{...}}\n&lt;/tool_call&gt;</c>, exactly as
/// <see cref="ToolCallFormat.RenderCall"/> writes them, with f among the offered names and the arguments an instance
/// of f's parameter schema).
/// </summary>
internal static class OutputGrammar
{
    /// <summary>Any JSON object: the arguments of a function whose parameter schema is outside the supported subset.</summary>
    private static readonly JsonElement s_anyObject = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone();

    private static readonly JsonSerializerOptions s_names = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Builds the grammar, or returns <see langword="null"/> when the output is free text.</summary>
    /// <param name="tools">The functions offered (the required one only, for <see cref="ToolRequirement.RequireSpecific"/>).</param>
    /// <param name="requirement">The tool mode.</param>
    /// <param name="format">The JSON response format, if any.</param>
    /// <param name="unconstrained">Receives the functions whose arguments are only constrained to a JSON object.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="NotSupportedException">The response format's schema uses a keyword outside the supported subset.</exception>
    public static JsonGrammar? Build(IReadOnlyList<AIFunctionDeclaration> tools, ToolRequirement requirement, ChatResponseFormatJson? format, List<string> unconstrained)
    {
        if (tools.Count == 0)
        {
            return format is null ? null : format.Schema is { } schema ? JsonGrammar.FromSchema(schema) : JsonGrammar.AnyValue();
        }

        var calls = tools.Select(t => new CallAlternative(
            "\n{\"name\":" + JsonSerializer.Serialize(t.Name, s_names) + ",\"arguments\":",
            Supported(t, unconstrained),
            "}\n")).ToList();
        if (requirement != ToolRequirement.Auto)
        {
            return JsonGrammar.TaggedCalls(calls, ToolCallParser.OpenTag, ToolCallParser.CloseTag, "\n", required: true);
        }

        return format is null
            ? JsonGrammar.TaggedCalls(calls, ToolCallParser.OpenTag, ToolCallParser.CloseTag, "\n", required: false)
            : JsonGrammar.TaggedCallsOrValue(calls, ToolCallParser.OpenTag, ToolCallParser.CloseTag, "\n", format.Schema);
    }

    private static JsonElement Supported(AIFunctionDeclaration tool, List<string> unconstrained)
    {
        try
        {
            // Compiled once here to find out; a schema outside the subset still gets a well-formed JSON object.
            _ = JsonGrammar.FromSchema(tool.JsonSchema);
            return tool.JsonSchema;
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            unconstrained.Add($"{tool.Name}: {ex.Message}");
            return s_anyObject;
        }
    }
}
