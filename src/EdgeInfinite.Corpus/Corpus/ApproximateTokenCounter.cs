using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// Counts GPT-2 pre-tokens (plus one per added token) as a stand-in for tokens: a tokenizer trained on this corpus keeps
/// nearly every corpus word whole, so the count is close, and it needs no tokenizer (the tokenizer is trained on the corpus).
/// </summary>
public sealed class ApproximateTokenCounter : ITokenCounter
{
    private readonly AddedTokenSplitter _splitter = new(BpeTrainerOptions.DefaultAddedTokens);

    /// <summary>Gets the shared instance.</summary>
    public static ApproximateTokenCounter Instance { get; } = new();

    /// <inheritdoc/>
    public int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int count = 0;
        foreach (var (segment, token) in _splitter.Split(text))
        {
            count += token is not null ? 1 : PreTokenizer.Split(segment).Count();
        }

        return count;
    }
}
