namespace EdgeInfinite.Corpus.Corpus;

/// <summary>A personal fact the user can state and later ask about.</summary>
/// <param name="Key">A short identifier (for example <c>pet-name</c>).</param>
/// <param name="Category">The category of its values.</param>
/// <param name="Statements">Ways to state it; <c>{0}</c> is the value.</param>
/// <param name="Questions">Ways to ask for it.</param>
/// <param name="Acknowledgement">The assistant's restatement, <c>{0}</c> is the value (so the value is said twice).</param>
public sealed record FactSlot(string Key, ValueCategory Category, IReadOnlyList<string> Statements, IReadOnlyList<string> Questions, string Acknowledgement);
