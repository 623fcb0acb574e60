using System.Text;

namespace EdgeInfinite.Corpus.Recall;

/// <summary>
/// Fills a recall prompt to a token budget: filler pieces are drawn while they fit, the fact goes in at the requested
/// depth of the filler, and filler is dropped from the end when the joined text tokenizes longer than counted apart.
/// Shared by every recall suite so all of them place facts and fill lengths the same way. Not thread-safe.
/// </summary>
internal sealed class RecallPromptAssembler
{
    private readonly Func<string, int[]> _encode;
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="RecallPromptAssembler"/> class.</summary>
    /// <param name="encode">The model's tokenizer.</param>
    public RecallPromptAssembler(Func<string, int[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        _encode = encode;
    }

    /// <summary>Checks a depth and returns the token budget of the prompt.</summary>
    /// <param name="length">The context length.</param>
    /// <param name="depth">The depth.</param>
    /// <param name="answerTokens">The answer budget.</param>
    /// <returns>The prompt's token budget.</returns>
    public static int Budget(int length, double depth, int answerTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(answerTokens);
        if (double.IsNaN(depth) || depth < 0 || depth > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "Depth must be in 0..1.");
        }

        return length - answerTokens;
    }

    /// <summary>Assembles one prompt.</summary>
    /// <returns>The task.</returns>
    public RecallTask Assemble(int length, int budget, double depth, RecallTaskFormat format, string prefix, string suffix, string fact, string question, string value, Func<string> nextFiller, IReadOnlyList<string>? statedValues = null)
    {
        int fixedTokens = Count(prefix + suffix) + Count(fact);
        int room = budget - fixedTokens;
        if (room < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A {format.ToString().ToLowerInvariant()} recall prompt needs at least {fixedTokens + (length - budget)} tokens.");
        }

        var pieces = new List<string>();
        var counts = new List<int>();
        int total = 0;
        for (int misses = 0; misses < 8;)
        {
            string piece = nextFiller();
            int c = Count(piece);
            if (total + c > room)
            {
                misses++;
                continue;
            }

            pieces.Add(piece);
            counts.Add(c);
            total += c;
        }

        while (true)
        {
            int at = 0, before = 0;
            while (at < pieces.Count && before + counts[at] <= depth * total)
            {
                before += counts[at++];
            }

            var text = new StringBuilder(prefix);
            for (int i = 0; i < pieces.Count; i++)
            {
                if (i == at)
                {
                    text.Append(fact);
                }

                text.Append(pieces[i]);
            }

            if (at == pieces.Count)
            {
                text.Append(fact);
            }

            text.Append(suffix);
            string prompt = text.ToString();
            int[] ids = _encode(prompt);
            if (ids.Length <= budget || pieces.Count == 0)
            {
                return new RecallTask(length, depth, format, prompt, ids, Count(prefix) + before, question, value) { StatedValues = statedValues ?? [value] };
            }

            // Joined pieces can tokenize a little longer than counted apart: drop filler from the end until it fits.
            int over = ids.Length - budget;
            while (over > 0 && pieces.Count > 0)
            {
                over -= counts[^1];
                total -= counts[^1];
                pieces.RemoveAt(pieces.Count - 1);
                counts.RemoveAt(counts.Count - 1);
            }
        }
    }

    /// <summary>The token count of a text (cached).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The count.</returns>
    public int Count(string text)
    {
        if (!_counts.TryGetValue(text, out int count))
        {
            count = _encode(text).Length;
            if (_counts.Count < 100_000)
            {
                _counts[text] = count;
            }
        }

        return count;
    }
}
