using static TorchSharp.torch;

namespace EdgeInfinite.Training.Model;

/// <summary>The result of a long-route forward pass over a batch of sequences.</summary>
/// <param name="Logits">The logits <c>[batch, tokens, vocab]</c>, or <see langword="null"/> when only the loss was asked for.</param>
/// <param name="Loss">The mean next-token cross-entropy over the positions of the chunks after the first eviction (where memory is read and the long route differs from a plain sliding window), or <see langword="null"/> when no targets were given or nothing was evicted.</param>
/// <param name="FirstGatedPosition">The first position whose chunk read memory through the gate, or −1.</param>
/// <param name="TokensInMemory">The number of tokens written to memory by the end of the sequence (an initial memory's not counted).</param>
/// <param name="Memory">The memory at the end, detached, when <see cref="LongRouteOptions.ReturnMemory"/> asked for it.</param>
public sealed record LongRouteRun(Tensor? Logits, Tensor? Loss, int FirstGatedPosition, long TokensInMemory, LongRouteMemory? Memory = null);
