namespace EdgeInfinite.Onnx.Tests.Docs;

/// <summary>One inline link or image of a Markdown file: its target as written and the line it is on.</summary>
public sealed record MarkdownLink(string Target, int Line);
