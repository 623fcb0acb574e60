using EdgeInfinite.Corpus.Recall;

namespace EdgeInfinite.Corpus.Loss;

/// <summary>The next-token cross-entropy of one mode over a <see cref="LossText"/>.</summary>
/// <param name="Mode">The mode.</param>
/// <param name="Sequences">The sequences scored.</param>
/// <param name="Tokens">The tokens scored (every token of a sequence but its first).</param>
/// <param name="SumNll">The sum of <c>−ln p(token | everything before it in its sequence)</c> over the scored tokens, in nats.</param>
/// <param name="AssistantTokens">How many of the scored tokens are assistant tokens.</param>
/// <param name="AssistantSumNll">The same sum over the assistant tokens only.</param>
public sealed record LossResult(RecallMode Mode, int Sequences, long Tokens, double SumNll, long AssistantTokens, double AssistantSumNll)
{
    /// <summary>Gets the mode's name as the CLI spells it (<c>long</c>, <c>memoff</c>, <c>short</c>).</summary>
    public string ModeName => RecallResult.Name(Mode);

    /// <summary>Gets the mean loss in nats per token.</summary>
    public double Loss => SumNll / Tokens;

    /// <summary>Gets the perplexity, <c>exp(Loss)</c>.</summary>
    public double Perplexity => Math.Exp(Loss);

    /// <summary>Gets the mean loss over assistant tokens, or <see langword="null"/> when the text has none.</summary>
    public double? AssistantLoss => AssistantTokens > 0 ? AssistantSumNll / AssistantTokens : null;

    /// <summary>Gets the perplexity over assistant tokens, or <see langword="null"/> when the text has none.</summary>
    public double? AssistantPerplexity => AssistantLoss is { } loss ? Math.Exp(loss) : null;
}
