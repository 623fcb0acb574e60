using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.StructuredOutput;

/// <summary>The system-message text that tells the model what a JSON response format asks for (the decoder enforces it too).</summary>
internal static class ResponseFormatPrompt
{
    private static readonly JsonSerializerOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = false };

    /// <summary>Describes the format.</summary>
    /// <param name="format">The JSON format.</param>
    /// <returns>The text.</returns>
    public static string Describe(ChatResponseFormatJson format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var sb = new StringBuilder("Respond with one JSON value and nothing else.");
        if (format.Schema is { } schema)
        {
            sb.Append(" The value must be valid against this JSON Schema");
            if (!string.IsNullOrWhiteSpace(format.SchemaName))
            {
                sb.Append(" (").Append(format.SchemaName).Append(')');
            }

            sb.Append(":\n").Append(JsonSerializer.Serialize(schema, s_compact));
            if (!string.IsNullOrWhiteSpace(format.SchemaDescription))
            {
                sb.Append('\n').Append(format.SchemaDescription);
            }
        }

        return sb.ToString();
    }

    /// <summary>Describes a tool requirement.</summary>
    /// <param name="requirement">The requirement.</param>
    /// <param name="function">The required function, for <see cref="ToolRequirement.RequireSpecific"/>.</param>
    /// <returns>The text, or <see langword="null"/> for <see cref="ToolRequirement.Auto"/>.</returns>
    public static string? Describe(ToolRequirement requirement, string? function) => requirement switch
    {
        ToolRequirement.RequireAny => "You must call at least one of the functions.",
        ToolRequirement.RequireSpecific => $"You must call the function {function}.",
        _ => null,
    };
}
