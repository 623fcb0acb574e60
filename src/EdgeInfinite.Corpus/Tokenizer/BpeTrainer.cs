namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>
/// Trains a byte-level BPE vocabulary the way Hugging Face's <c>BpeTrainer</c> with the <c>ByteLevel</c> pre-tokenizer
/// does: added tokens first (ids 0..n-1), then the 256 byte characters in code-point order, then one token per merge.
/// Text is cut at added tokens and pre-tokenized with GPT-2's regex; distinct pieces are counted once into a
/// word-frequency table, and each step merges the most frequent adjacent pair (ties: the pair with the smaller left id,
/// then the smaller right id), updating only the words that contain it. The result depends only on the text and the
/// options.
/// </summary>
public sealed class BpeTrainer
{
    private readonly BpeTrainerOptions _options;

    /// <summary>Initializes a new instance of the <see cref="BpeTrainer"/> class.</summary>
    /// <param name="options">The options.</param>
    public BpeTrainer(BpeTrainerOptions? options = null)
    {
        _options = options ?? new BpeTrainerOptions();
        _options.Validate();
    }

    /// <summary>Trains on texts.</summary>
    /// <param name="texts">The training texts (added tokens in them are recognised and not learned from).</param>
    /// <param name="progress">Receives the fraction of merges done.</param>
    /// <param name="cancellationToken">Cancels training.</param>
    /// <returns>The model.</returns>
    public BpeModel Train(IEnumerable<string> texts, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var splitter = new AddedTokenSplitter(_options.AddedTokens);
        var wordCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var (segment, token) in splitter.Split(text))
            {
                if (token is not null)
                {
                    continue;
                }

                foreach (string piece in PreTokenizer.Split(segment))
                {
                    ref long count = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(wordCounts, piece, out _);
                    count++;
                }
            }
        }

        var tokens = new List<string>(_options.VocabSize);
        tokens.AddRange(_options.AddedTokens.Select(t => t.Content));
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            ids[tokens[i]] = i;
        }

        foreach (char c in ByteLevelAlphabet.SortedCharacters)
        {
            ids[c.ToString()] = tokens.Count;
            tokens.Add(c.ToString());
        }

        // Words in a fixed order (ordinal), so the index of a word never depends on hashing.
        var words = new List<List<int>>(wordCounts.Count);
        var counts = new List<long>(wordCounts.Count);
        foreach (var (word, count) in wordCounts.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            words.Add(ByteLevelAlphabet.Encode(word).Select(c => ids[c.ToString()]).ToList());
            counts.Add(count);
        }

        var pairCounts = new Dictionary<long, long>();
        var where = new Dictionary<long, HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
        {
            AddPairs(words[w], counts[w], w, pairCounts, where);
        }

        var merges = new List<(string, string)>();
        int target = _options.VocabSize - tokens.Count;
        while (tokens.Count < _options.VocabSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long best = -1;
            long bestCount = 0;
            foreach (var (pair, count) in pairCounts)
            {
                if (count > bestCount || (count == bestCount && pair < best))
                {
                    best = pair;
                    bestCount = count;
                }
            }

            if (best < 0 || bestCount < _options.MinFrequency)
            {
                break;
            }

            int left = (int)(best >> 32), right = (int)(best & 0xFFFFFFFF);
            string merged = tokens[left] + tokens[right];
            if (!ids.TryGetValue(merged, out int newId))
            {
                newId = tokens.Count;
                ids[merged] = newId;
                tokens.Add(merged);
            }

            merges.Add((tokens[left], tokens[right]));
            foreach (int w in where[best].Order().ToArray())
            {
                var symbols = words[w];
                if (!Contains(symbols, left, right))
                {
                    continue;
                }

                RemovePairs(symbols, counts[w], pairCounts);
                ApplyMerge(symbols, left, right, newId);
                AddPairs(symbols, counts[w], w, pairCounts, where);
            }

            pairCounts.Remove(best);
            where.Remove(best);
            progress?.Report(Math.Min(1.0, (double)merges.Count / Math.Max(1, target)));
        }

        progress?.Report(1.0);
        var added = _options.AddedTokens.Select(t => t with { }).ToArray();
        return new BpeModel(tokens, merges, added);
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static bool Contains(List<int> symbols, int left, int right)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                return true;
            }
        }

        return false;
    }

    private static void ApplyMerge(List<int> symbols, int left, int right, int merged)
    {
        int write = 0;
        for (int read = 0; read < symbols.Count; read++)
        {
            if (read + 1 < symbols.Count && symbols[read] == left && symbols[read + 1] == right)
            {
                symbols[write++] = merged;
                read++;
            }
            else
            {
                symbols[write++] = symbols[read];
            }
        }

        symbols.RemoveRange(write, symbols.Count - write);
    }

    private static void AddPairs(List<int> symbols, long count, int word, Dictionary<long, long> pairCounts, Dictionary<long, HashSet<int>> where)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            long key = Key(symbols[i], symbols[i + 1]);
            ref long c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, key, out _);
            c += count;
            if (!where.TryGetValue(key, out var set))
            {
                set = [];
                where[key] = set;
            }

            set.Add(word);
        }
    }

    private static void RemovePairs(List<int> symbols, long count, Dictionary<long, long> pairCounts)
    {
        for (int i = 0; i + 1 < symbols.Count; i++)
        {
            long key = Key(symbols[i], symbols[i + 1]);
            long left = pairCounts[key] - count;
            if (left <= 0)
            {
                pairCounts.Remove(key);
            }
            else
            {
                pairCounts[key] = left;
            }
        }
    }
}
