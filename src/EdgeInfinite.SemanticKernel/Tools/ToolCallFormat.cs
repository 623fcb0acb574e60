using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tools;

/// <summary>Renders tool definitions, assistant tool calls and tool results as text for the chat template (Hermes/Qwen format).</summary>
internal static class ToolCallFormat
{
    // Named floating-point literals: a tool that returns NaN or an infinity (0/0 in a calculator) or a call whose
    // arguments hold one is rendered as "NaN" / "Infinity" instead of failing every later request of the conversation.
    private static readonly JsonSerializerOptions s_json = new(AIJsonUtilities.DefaultOptions)
    {
        NumberHandling = AIJsonUtilities.DefaultOptions.NumberHandling | System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Renders a function call as the model writes it.</summary>
    /// <param name="call">The call.</param>
    /// <returns><c>&lt;tool_call&gt;\n{"name": ..., "arguments": ...}\n&lt;/tool_call&gt;</c>.</returns>
    public static string RenderCall(FunctionCallContent call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var body = new Dictionary<string, object?>
        {
            ["name"] = call.Name,
            ["arguments"] = call.Arguments ?? new Dictionary<string, object?>(),
        };
        return $"{ToolCallParser.OpenTag}\n{JsonSerializer.Serialize(body, s_json)}\n{ToolCallParser.CloseTag}";
    }

    /// <summary>Renders a function result's value as text.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The text (strings as they are, anything else as JSON).</returns>
    public static string RenderResult(FunctionResultContent result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Result switch
        {
            null => result.Exception is { } ex ? $"Error: {ex.Message}" : string.Empty,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString() ?? string.Empty,
            var other => JsonSerializer.Serialize(other, s_json.GetTypeInfo(typeof(object))),
        };
    }

    /// <summary>Builds the JSON list of tool definitions (OpenAI/Qwen shape) for the chat template.</summary>
    /// <param name="tools">The tools.</param>
    /// <returns>The JSON array, or <see langword="null"/> when there are no functions.</returns>
    public static string? ToolsJson(IEnumerable<AIFunctionDeclaration> tools)
    {
        var list = tools.Select(t => new Dictionary<string, object?>
        {
            ["type"] = "function",
            ["function"] = new Dictionary<string, object?>
            {
                ["name"] = t.Name,
                ["description"] = t.Description,
                ["parameters"] = t.JsonSchema,
            },
        }).ToList();
        return list.Count == 0 ? null : JsonSerializer.Serialize(list, s_json);
    }

    /// <summary>The system-prompt block that teaches the tool format when the package's template does not render tools itself.</summary>
    /// <param name="tools">The tool definitions.</param>
    /// <returns>The text.</returns>
    public static string ToolsSystemBlock(IEnumerable<AIFunctionDeclaration> tools)
    {
        var sb = new StringBuilder();
        sb.Append("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n");
        sb.Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (var t in tools)
        {
            var def = new Dictionary<string, object?>
            {
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?> { ["name"] = t.Name, ["description"] = t.Description, ["parameters"] = t.JsonSchema },
            };
            sb.Append('\n').Append(JsonSerializer.Serialize(def, s_json));
        }

        sb.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n");
        sb.Append("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.ToString();
    }
}
