namespace EdgeInfinite.Corpus.Corpus.Varied;

/// <summary>The phrasings of one fact slot in the varied corpus.</summary>
/// <param name="Statements">Ways to state it (the slot's own statements first); <c>{0}</c> is the value.</param>
/// <param name="Questions">Ways to ask for it (the slot's own questions first).</param>
/// <param name="Acknowledgements">The assistant's restatements (the slot's own first); <c>{0}</c> is the value.</param>
public sealed record VariedFactPhrasing(IReadOnlyList<string> Statements, IReadOnlyList<string> Questions, IReadOnlyList<string> Acknowledgements);
