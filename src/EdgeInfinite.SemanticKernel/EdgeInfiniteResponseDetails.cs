using EdgeInfinite.Onnx.Generation;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// The engine-level record of one response, set as the <c>RawRepresentation</c> of its final
/// <c>ChatResponseUpdate</c> (text updates carry the engine's <see cref="GenerationUpdate"/>).
/// </summary>
public sealed record EdgeInfiniteResponseDetails
{
    /// <summary>Gets the prompt token ids (the whole conversation as the model sees it).</summary>
    public required IReadOnlyList<int> PromptTokenIds { get; init; }

    /// <summary>Gets the generated token ids (a stop token is not included).</summary>
    public required IReadOnlyList<int> OutputTokenIds { get; init; }

    /// <summary>Gets the number of prompt tokens taken from a kept conversation state.</summary>
    public required int ReusedPromptTokens { get; init; }

    /// <summary>Gets the engine's finish reason.</summary>
    public required GenerationFinishReason FinishReason { get; init; }

    /// <summary>Gets the generated text before tool calls were taken out of it.</summary>
    public required string RawText { get; init; }
}
