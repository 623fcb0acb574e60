using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Recall.HeldOut;

/// <summary>A fact hidden in a held-out document: a statement, a restatement in other words, and the questions about it.</summary>
/// <param name="Category">The category of its values.</param>
/// <param name="Statement">The statement; <c>{0}</c> is the value.</param>
/// <param name="Restatement">The restatement (said right after, so the value appears twice as in the corpus).</param>
/// <param name="Questions">Ways to ask for it.</param>
public sealed record HeldOutNeedle(ValueCategory Category, string Statement, string Restatement, IReadOnlyList<string> Questions);
