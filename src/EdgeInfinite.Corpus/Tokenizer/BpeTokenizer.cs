using System.Text;
using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>
/// Encodes and decodes with a <see cref="BpeModel"/> in managed code, the way Hugging Face tokenizers does for the
/// files <see cref="TokenizerFiles"/> writes: cut at added tokens, GPT-2 pre-tokenization, byte-level mapping, merges
/// by rank. Used to count tokens while building data and to check the ONNX Runtime GenAI tokenizer against.
/// Thread-safe.
/// </summary>
public sealed class BpeTokenizer : ITokenCounter
{
    private readonly BpeModel _model;
    private readonly Dictionary<long, int> _ranks = [];
    private readonly AddedTokenSplitter _splitter;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly HashSet<int> _special;
    private readonly Dictionary<int, AddedToken> _added;

    /// <summary>Initializes a new instance of the <see cref="BpeTokenizer"/> class.</summary>
    /// <param name="model">The model.</param>
    public BpeTokenizer(BpeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        for (int rank = 0; rank < model.Merges.Count; rank++)
        {
            var (left, right) = model.Merges[rank];
            _ranks.TryAdd(Key(model.Ids[left], model.Ids[right]), rank);
        }

        _splitter = new AddedTokenSplitter(model.AddedTokens);
        _special = model.AddedTokens.Where(t => t.Special).Select(t => t.Id).ToHashSet();
        _added = model.AddedTokens.ToDictionary(t => t.Id);
    }

    /// <summary>Gets the model.</summary>
    public BpeModel Model => _model;

    /// <summary>Encodes text (added tokens in it become their ids; nothing else is added).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The ids.</returns>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>();
        foreach (var (segment, token) in _splitter.Split(text))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }

            foreach (string piece in PreTokenizer.Split(segment))
            {
                ids.AddRange(_cache.GetOrAdd(piece, EncodePiece));
            }
        }

        return [.. ids];
    }

    /// <inheritdoc/>
    public int CountTokens(string text) => Encode(text).Length;

    /// <summary>Decodes ids.</summary>
    /// <param name="ids">The ids.</param>
    /// <param name="skipSpecialTokens">Whether to drop special added tokens (non-special ones such as <c>&lt;tool_call&gt;</c> are kept).</param>
    /// <returns>The text (invalid UTF-8 becomes U+FFFD).</returns>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_model.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (size {_model.VocabSize}).");
            }

            if (_added.TryGetValue(id, out var token))
            {
                Flush();
                if (!(skipSpecialTokens && token.Special))
                {
                    text.Append(token.Content);
                }

                continue;
            }

            ByteLevelAlphabet.Decode(_model.Tokens[id], bytes);
        }

        Flush();
        return text.ToString();

        void Flush()
        {
            text.Append(Encoding.UTF8.GetString(bytes.ToArray()));
            bytes.Clear();
        }
    }

    /// <summary>Gets a value indicating whether an id is a special added token.</summary>
    /// <param name="id">The id.</param>
    /// <returns><see langword="true"/> for special tokens.</returns>
    public bool IsSpecial(int id) => _special.Contains(id);

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private int[] EncodePiece(string piece)
    {
        string symbols = ByteLevelAlphabet.Encode(piece);
        var parts = new List<int>(symbols.Length);
        foreach (char c in symbols)
        {
            parts.Add(_model.Ids[c.ToString()]);
        }

        while (parts.Count > 1)
        {
            int bestRank = int.MaxValue, bestAt = -1;
            for (int i = 0; i + 1 < parts.Count; i++)
            {
                if (_ranks.TryGetValue(Key(parts[i], parts[i + 1]), out int rank) && rank < bestRank)
                {
                    bestRank = rank;
                    bestAt = i;
                }
            }

            if (bestAt < 0)
            {
                break;
            }

            var (left, right) = _model.Merges[bestRank];
            int merged = _model.Ids[left + right];
            int l = _model.Ids[left], r = _model.Ids[right];
            for (int i = 0; i + 1 < parts.Count; i++)
            {
                if (parts[i] == l && parts[i + 1] == r)
                {
                    parts[i] = merged;
                    parts.RemoveAt(i + 1);
                }
            }
        }

        return [.. parts];
    }
}
