namespace EdgeInfinite.Onnx.Inference;

/// <summary>Progress of a prefill, reported after each chunk.</summary>
/// <param name="Processed">Tokens processed so far.</param>
/// <param name="Total">Tokens in the request.</param>
public readonly record struct PrefillProgress(int Processed, int Total);
