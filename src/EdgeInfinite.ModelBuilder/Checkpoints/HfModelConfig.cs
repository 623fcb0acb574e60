using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>What a Hugging Face <c>config.json</c> says: the architecture and the special token ids.</summary>
/// <param name="Architecture">The normalised architecture.</param>
/// <param name="BosTokenIds">The BOS ids (usually one), empty when absent.</param>
/// <param name="EosTokenIds">The EOS ids, empty when absent.</param>
/// <param name="PadTokenIds">The pad ids, empty when absent.</param>
public sealed record HfModelConfig(ModelArchitecture Architecture, IReadOnlyList<int> BosTokenIds, IReadOnlyList<int> EosTokenIds, IReadOnlyList<int> PadTokenIds);
