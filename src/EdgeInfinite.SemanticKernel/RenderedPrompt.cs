namespace EdgeInfinite.SemanticKernel;

/// <summary>A rendered prompt.</summary>
/// <param name="Text">The prompt text from the chat template.</param>
/// <param name="AssistantContents">The assistant turns' contents as rendered, in order.</param>
/// <param name="AssistantHeader">The text the template puts before an assistant turn's content, or empty when unknown.</param>
internal sealed record RenderedPrompt(string Text, IReadOnlyList<string> AssistantContents, string AssistantHeader = "");
