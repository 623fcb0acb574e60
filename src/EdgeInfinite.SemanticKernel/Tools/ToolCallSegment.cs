namespace EdgeInfinite.SemanticKernel.Tools;

/// <summary>A piece of model output: plain text, or one parsed tool call.</summary>
/// <param name="Text">The text, when this is a text segment.</param>
/// <param name="Call">The tool call, when this is a tool-call segment.</param>
internal readonly record struct ToolCallSegment(string? Text, ParsedToolCall? Call);
