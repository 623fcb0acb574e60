using static TorchSharp.torch;

namespace EdgeInfinite.Training;

/// <summary>The result of a long-route forward pass over a batch of sequences.</summary>
/// <param name="Logits">The logits <c>[batch, tokens, vocab]</c>, or <see langword="null"/> when only the loss was asked for.</param>
/// <param name="Loss">The mean next-token cross-entropy over the positions whose chunk read memory, or <see langword="null"/> when no targets were given or no chunk read memory.</param>
/// <param name="FirstGatedPosition">The first position whose chunk read memory through the gate, or −1.</param>
/// <param name="TokensInMemory">The number of tokens written to memory by the end of the sequence.</param>
public sealed record LongRouteRun(Tensor? Logits, Tensor? Loss, int FirstGatedPosition, long TokensInMemory);
