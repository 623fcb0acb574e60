using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Recall.HeldOut;

/// <summary>A personal fact of the held-out suite, worded differently from the corpus's <see cref="FactSlot"/> of the same key.</summary>
/// <param name="Key">The key of the corpus slot it paraphrases (for example <c>pet-name</c>).</param>
/// <param name="Category">The category of its values.</param>
/// <param name="Statements">Ways to state it; <c>{0}</c> is the value.</param>
/// <param name="Questions">Ways to ask for it.</param>
/// <param name="Acknowledgement">The assistant's restatement; <c>{0}</c> is the value.</param>
public sealed record HeldOutFactSlot(string Key, ValueCategory Category, IReadOnlyList<string> Statements, IReadOnlyList<string> Questions, string Acknowledgement);
