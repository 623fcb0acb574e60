namespace EdgeInfinite.Onnx.Packaging;

/// <summary>The <c>llama3</c> rotary frequency scaling of Llama 3.1+ (the only <c>rope_scaling</c> type supported).</summary>
/// <param name="Factor">The scaling factor.</param>
/// <param name="LowFreqFactor">The low-frequency factor.</param>
/// <param name="HighFreqFactor">The high-frequency factor.</param>
/// <param name="OriginalMaxPositionEmbeddings">The pre-training context length.</param>
public sealed record RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    /// <summary>Gets the type name, always <c>llama3</c>.</summary>
    public string Type { get; init; } = "llama3";
}
