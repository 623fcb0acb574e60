namespace EdgeInfinite.Onnx.Packaging;

/// <summary>How a package stores the weights of its projections, LM head and embeddings.</summary>
public enum WeightPrecision
{
    /// <summary>float32 everywhere (the only precision of format-version-1 packages).</summary>
    Fp32,

    /// <summary>8-bit block-wise symmetric quantization (<c>MatMulNBits</c> bits 8, <c>GatherBlockQuantized</c>).</summary>
    Int8,

    /// <summary>4-bit block-wise symmetric quantization (<c>MatMulNBits</c> bits 4, <c>GatherBlockQuantized</c>).</summary>
    Int4,
}
