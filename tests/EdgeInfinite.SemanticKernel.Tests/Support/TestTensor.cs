namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>A named float32 tensor to write into a safetensors file.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Data">The row-major values.</param>
public sealed record TestTensor(string Name, long[] Shape, float[] Data);
