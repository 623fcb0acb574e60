namespace EdgeInfinite.Onnx.Generation;

/// <summary>Why a generation ended.</summary>
public enum GenerationFinishReason
{
    /// <summary>A stop token (EOS) was produced.</summary>
    StopToken,

    /// <summary>A stop string was produced (the text is cut before it).</summary>
    StopSequence,

    /// <summary>The token budget was used up.</summary>
    Length,
}
