namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>Options of <see cref="BpeTrainer"/>.</summary>
public sealed class BpeTrainerOptions
{
    /// <summary>The ChatML special tokens and the tool-call tags, in id order (ids 0..4).</summary>
    public static readonly IReadOnlyList<AddedToken> DefaultAddedTokens =
    [
        new(0, "<|endoftext|>", Special: true),
        new(1, "<|im_start|>", Special: true),
        new(2, "<|im_end|>", Special: true),
        new(3, "<tool_call>", Special: false),
        new(4, "</tool_call>", Special: false),
    ];

    /// <summary>Gets or sets the target vocabulary size (added tokens, the 256 byte characters and the merges).</summary>
    public int VocabSize { get; set; } = 2048;

    /// <summary>Gets or sets the fewest occurrences a pair needs to be merged; training stops earlier when no pair has that many.</summary>
    public int MinFrequency { get; set; } = 2;

    /// <summary>Gets or sets the added tokens; their ids must be 0..n-1 in order. Special ones are dropped by decoding, the others kept.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; set; } = DefaultAddedTokens;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(AddedTokens);
        for (int i = 0; i < AddedTokens.Count; i++)
        {
            if (AddedTokens[i].Id != i || string.IsNullOrEmpty(AddedTokens[i].Content))
            {
                throw new ArgumentOutOfRangeException(nameof(AddedTokens), $"Added token {i} ('{AddedTokens[i].Content}') must have id {i} and non-empty content.");
            }
        }

        int minimum = AddedTokens.Count + 256;
        if (VocabSize < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(VocabSize), VocabSize, $"The vocabulary needs at least {minimum} entries ({AddedTokens.Count} added tokens + 256 bytes).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MinFrequency, 1, nameof(MinFrequency));
    }
}
