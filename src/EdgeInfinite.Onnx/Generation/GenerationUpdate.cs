namespace EdgeInfinite.Onnx.Generation;

/// <summary>One step of a generation: a new token and its text, or the final update with the finish reason.</summary>
public sealed record GenerationUpdate
{
    /// <summary>Gets the new token id, or <see langword="null"/> on the final update.</summary>
    public int? TokenId { get; init; }

    /// <summary>Gets the text this update adds (possibly empty while a multi-byte character is incomplete).</summary>
    public string Text { get; init; } = string.Empty;

    /// <summary>Gets the finish reason; set only on the final update.</summary>
    public GenerationFinishReason? FinishReason { get; init; }

    /// <summary>Gets the number of prompt tokens prefilled.</summary>
    public int PromptTokens { get; init; }

    /// <summary>Gets the number of tokens generated so far.</summary>
    public int OutputTokens { get; init; }

    /// <summary>Gets the time from the start to the first new token (set from the first token on).</summary>
    public TimeSpan? TimeToFirstToken { get; init; }
}
