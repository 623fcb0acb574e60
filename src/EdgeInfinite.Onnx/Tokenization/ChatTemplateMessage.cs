namespace EdgeInfinite.Onnx.Tokenization;

/// <summary>One message as the chat template sees it.</summary>
/// <param name="Role">The role (<c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>).</param>
/// <param name="Content">The text.</param>
public sealed record ChatTemplateMessage(string Role, string Content);
