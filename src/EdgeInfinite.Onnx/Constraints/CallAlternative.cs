using System.Text.Json;

namespace EdgeInfinite.Onnx.Constraints;

/// <summary>One call a tagged-call grammar allows: fixed text, then a JSON value of a schema, then fixed text.</summary>
/// <param name="Prefix">The text after the open tag up to the value (e.g. <c>\n{"name":"get_weather","arguments":</c>).</param>
/// <param name="Schema">The value's JSON Schema.</param>
/// <param name="Suffix">The text after the value up to the close tag (e.g. <c>}\n</c>).</param>
public sealed record CallAlternative(string Prefix, JsonElement Schema, string Suffix);
