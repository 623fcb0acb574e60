using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// Next-token cross-entropy averaged with per-token weights: Σ wᵢ·CEᵢ / Σ wᵢ. Weighting recall answers up makes the
/// few tokens that need the context count as much as the many that a language model predicts from grammar alone.
/// </summary>
internal static class WeightedCrossEntropy
{
    /// <summary>The weighted mean loss; plain mean cross-entropy when <paramref name="weights"/> is <see langword="null"/>.</summary>
    /// <param name="logits">Logits <c>[tokens, vocab]</c>.</param>
    /// <param name="targets">Target ids <c>[tokens]</c>.</param>
    /// <param name="weights">Weights <c>[tokens]</c>, non-negative; <see langword="null"/> for 1 everywhere.</param>
    /// <returns>The scalar loss.</returns>
    public static Tensor Mean(Tensor logits, Tensor targets, Tensor? weights) =>
        weights is null
            ? F.cross_entropy(logits, targets)
            : (F.cross_entropy(logits, targets, reduction: nn.Reduction.None) * weights).sum() / weights.sum().clamp_min(1e-6);
}
