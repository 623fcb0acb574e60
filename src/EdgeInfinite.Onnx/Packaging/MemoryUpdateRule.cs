namespace EdgeInfinite.Onnx.Packaging;

/// <summary>How tokens leaving the window are written into the compressed memory.</summary>
public enum MemoryUpdateRule
{
    /// <summary>Delta rule: <c>M += σ(K)ᵀ (V − σ(K) M / (σ(K) z + ε))</c>; stores only what memory does not already recall.</summary>
    Delta,

    /// <summary>Linear rule: <c>M += σ(K)ᵀ V</c>.</summary>
    Linear,
}
