using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>A kept inference state and exactly the token ids it has been fed.</summary>
/// <param name="State">The state.</param>
/// <param name="FedIds">The ids the state has processed, in order.</param>
/// <param name="MemoryEnabled">Whether the state was created with the long route's compressed memory on.</param>
internal sealed record CachedState(InferenceState State, int[] FedIds, bool MemoryEnabled);
