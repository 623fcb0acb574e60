namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>Cuts text at added tokens (longest match first), as Hugging Face tokenizers do before pre-tokenization.</summary>
internal sealed class AddedTokenSplitter
{
    private readonly AddedToken[] _tokens;
    private readonly char[] _firstChars;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        _tokens = tokens.OrderByDescending(t => t.Content.Length).ThenBy(t => t.Id).ToArray();
        _firstChars = _tokens.Select(t => t.Content[0]).Distinct().ToArray();
    }

    /// <summary>Splits text into plain segments (token null) and added tokens.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The segments in order.</returns>
    public IEnumerable<(string Text, AddedToken? Token)> Split(string text)
    {
        int start = 0;
        int search = 0;
        while (search < text.Length)
        {
            int at = _firstChars.Length == 0 ? -1 : text.IndexOfAny(_firstChars, search);
            if (at < 0)
            {
                break;
            }

            AddedToken? match = null;
            foreach (var token in _tokens)
            {
                if (string.CompareOrdinal(text, at, token.Content, 0, token.Content.Length) == 0)
                {
                    match = token;
                    break;
                }
            }

            if (match is null)
            {
                search = at + 1;
                continue;
            }

            if (at > start)
            {
                yield return (text[start..at], null);
            }

            yield return (match.Content, match);
            start = search = at + match.Content.Length;
        }

        if (start < text.Length)
        {
            yield return (text[start..], null);
        }
    }
}
