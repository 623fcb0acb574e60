namespace EdgeInfinite.Onnx.Inference;

/// <summary>Which attention path a request runs on.</summary>
public enum Route
{
    /// <summary>Short when the request fits under the package's route threshold, long otherwise.</summary>
    Auto,

    /// <summary>The unmodified model with a full KV cache (gate off).</summary>
    Short,

    /// <summary>Sink + window KV with compressed memory and the memory gate.</summary>
    Long,
}
