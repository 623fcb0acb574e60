namespace EdgeInfinite.SemanticKernel.Tools;

/// <summary>A tool call found in model output.</summary>
/// <param name="Name">The function name.</param>
/// <param name="Arguments">The arguments (JSON values).</param>
/// <param name="RawText">The call exactly as the model wrote it, tags included (empty when not known).</param>
internal sealed record ParsedToolCall(string Name, IDictionary<string, object?> Arguments, string RawText = "");
