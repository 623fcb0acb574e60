namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>A trained byte-level BPE vocabulary: tokens by id (byte-level strings), the merges in rank order and the added tokens.</summary>
public sealed class BpeModel
{
    /// <summary>Initializes a new instance of the <see cref="BpeModel"/> class.</summary>
    /// <param name="tokens">The token strings by id (added tokens included at their ids).</param>
    /// <param name="merges">The merges in rank order, as pairs of byte-level strings.</param>
    /// <param name="addedTokens">The added tokens.</param>
    public BpeModel(IReadOnlyList<string> tokens, IReadOnlyList<(string Left, string Right)> merges, IReadOnlyList<AddedToken> addedTokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(merges);
        ArgumentNullException.ThrowIfNull(addedTokens);
        Tokens = tokens;
        Merges = merges;
        AddedTokens = addedTokens;
        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!ids.TryAdd(tokens[i], i))
            {
                throw new ArgumentException($"Token '{tokens[i]}' appears twice (ids {ids[tokens[i]]} and {i}).", nameof(tokens));
            }
        }

        Ids = ids;
        foreach (var added in addedTokens)
        {
            if (added.Id < 0 || added.Id >= tokens.Count || tokens[added.Id] != added.Content)
            {
                throw new ArgumentException($"Added token '{added.Content}' does not match the vocabulary at id {added.Id}.", nameof(addedTokens));
            }
        }
    }

    /// <summary>Gets the token strings by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Gets the merges in rank order.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>Gets the added tokens (special and not).</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>Gets the id of every token string.</summary>
    public IReadOnlyDictionary<string, int> Ids { get; }

    /// <summary>Gets the vocabulary size.</summary>
    public int VocabSize => Tokens.Count;
}
