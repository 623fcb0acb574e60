using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>A conversation read from the store.</summary>
/// <param name="Entry">The checked entry.</param>
/// <param name="State">The restored state, or <see langword="null"/> when the snapshot was unusable (the transcript is then prefilled).</param>
internal sealed record RestoredConversation(ConversationEntry Entry, InferenceState? State);
