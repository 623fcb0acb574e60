namespace EdgeInfinite.Corpus.Loss;

/// <summary>The tokens a loss evaluation scores: one stream of documents, and which of its tokens are assistant tokens.</summary>
public sealed class LossText
{
    /// <summary>Initializes a new instance of the <see cref="LossText"/> class.</summary>
    /// <param name="ids">The token stream (documents one after another).</param>
    /// <param name="assistant">Per token, whether it is an assistant token (<see cref="Corpus.SampleEncoder"/>'s loss mask); same length as <paramref name="ids"/>.</param>
    /// <param name="documents">How many documents (or parts of one) the stream holds.</param>
    /// <param name="source">Where the text came from, for reports.</param>
    /// <param name="seed">The synthetic corpus's seed, or <see langword="null"/> for a file.</param>
    public LossText(int[] ids, bool[] assistant, int documents, string source, long? seed)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(assistant);
        ArgumentException.ThrowIfNullOrEmpty(source);
        if (ids.Length != assistant.Length)
        {
            throw new ArgumentException($"The mask has {assistant.Length} entries for {ids.Length} tokens.", nameof(assistant));
        }

        Ids = ids;
        Assistant = assistant;
        Documents = documents;
        Source = source;
        Seed = seed;
    }

    /// <summary>Gets the token stream.</summary>
    public int[] Ids { get; }

    /// <summary>Gets, per token, whether it is an assistant token.</summary>
    public bool[] Assistant { get; }

    /// <summary>Gets how many documents the stream holds (the last one may be cut by the token budget).</summary>
    public int Documents { get; }

    /// <summary>Gets where the text came from (<c>heldout</c> or the file's name).</summary>
    public string Source { get; }

    /// <summary>Gets the synthetic corpus's seed, or <see langword="null"/> for a file.</summary>
    public long? Seed { get; }
}
