using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>A kept inference state and exactly the token ids it has been fed.</summary>
/// <param name="State">The state.</param>
/// <param name="FedIds">The ids the state has processed, in order.</param>
internal sealed record CachedState(InferenceState State, int[] FedIds);
