using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>One synthetic conversation.</summary>
/// <param name="Index">Its index in the corpus (the corpus seed and the index fix its text).</param>
/// <param name="Kind">Its kind.</param>
/// <param name="Messages">The messages, in order.</param>
/// <param name="Text">The ChatML text (what the chat template renders for <paramref name="Messages"/>).</param>
/// <param name="DistanceTokens">For recall kinds, the counted tokens between the (first) fact and the (first) question; 0 otherwise.</param>
/// <param name="Answers">For recall kinds, the values asked for, in order.</param>
public sealed record CorpusSample(long Index, TaskKind Kind, IReadOnlyList<ChatTemplateMessage> Messages, string Text, int DistanceTokens, IReadOnlyList<string> Answers)
{
    /// <summary>Gets the index in <see cref="Messages"/> of the assistant message that answers each of <see cref="Answers"/>, in the same order.</summary>
    public IReadOnlyList<int> AnswerMessages { get; init; } = [];
}
