using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Loss;

/// <summary>
/// The default text of <c>eval loss</c>: the synthetic corpus (default task mix and distances, as
/// <c>make-corpus</c> writes it) with a seed that no training run of this project draws from, encoded with the
/// package's tokenizer exactly as training encodes its corpora.
/// </summary>
public static class HeldOutLossText
{
    /// <summary>
    /// The held-out seed. <c>pretrain --seed s</c> draws its corpora from seeds <c>s</c> … <c>s + 3</c> (the default
    /// model: 1–4), the recall suites use 1, 11, 101 and 90,210,077; this one is none of them.
    /// </summary>
    public const long Seed = 424_242;

    /// <summary>Encodes samples 0, 1, … of the corpus until the budget is reached, and cuts the stream there.</summary>
    /// <param name="encoder">The encoder over the package's tokenizer.</param>
    /// <param name="tokens">The token budget.</param>
    /// <param name="seed">The corpus seed (<see cref="Seed"/> for reported numbers).</param>
    /// <param name="cancellationToken">Cancels between samples.</param>
    /// <returns>The text.</returns>
    public static LossText Create(SampleEncoder encoder, int tokens, long seed = Seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 2);
        // Grown as encoded: a large budget must not reserve its memory before a token exists.
        var ids = new List<int>(Math.Min(tokens, 1 << 16));
        var assistant = new List<bool>(ids.Capacity);
        int documents = 0;
        foreach (var sample in new SyntheticCorpus(new CorpusOptions { Seed = seed }).Samples(long.MaxValue / 2))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var encoded = encoder.Encode(sample);
            ids.AddRange(encoded.Ids);
            assistant.AddRange(encoded.Targets);
            documents++;
            if (ids.Count >= tokens)
            {
                break;
            }
        }

        return new LossText([.. ids.Take(tokens)], [.. assistant.Take(tokens)], documents, "heldout", seed);
    }
}
