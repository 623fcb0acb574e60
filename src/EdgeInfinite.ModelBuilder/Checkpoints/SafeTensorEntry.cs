namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>One tensor's header entry in a safetensors file.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DType">The safetensors dtype string (F32, F16, BF16, F64).</param>
/// <param name="Shape">The tensor shape.</param>
/// <param name="Offset">The byte offset from the start of the data section.</param>
/// <param name="ByteLength">The byte length.</param>
public sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Offset, long ByteLength);
