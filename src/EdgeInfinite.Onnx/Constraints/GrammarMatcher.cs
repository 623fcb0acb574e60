using System.Text;

namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// Matches one generation against a <see cref="JsonGrammar"/> over a model's <see cref="TokenVocabulary"/>: before
/// each token it masks every token whose bytes the grammar cannot take next (and the stop tokens until the output
/// may end); after it, it advances by the chosen token's bytes. The mask comes from walking the vocabulary's byte
/// trie with the matcher (a rejected byte prunes every token below it); inside a free JSON string and in free text
/// the tokens that cannot change the state come from a precomputed mask and only the rest are walked.
/// Not thread-safe: one per generation.
/// </summary>
public sealed class GrammarMatcher
{
    private readonly JsonGrammar _grammar;
    private readonly TokenVocabulary _vocabulary;
    private readonly List<MatcherState> _levels = [];
    private readonly ulong[] _mask;
    private MatcherState _state;
    private MatcherState _scratch;
    private int _budget = int.MaxValue;

    /// <summary>Initializes a new instance of the <see cref="GrammarMatcher"/> class at the start of the output.</summary>
    /// <param name="grammar">The grammar.</param>
    /// <param name="vocabulary">The model's token bytes.</param>
    public GrammarMatcher(JsonGrammar grammar, TokenVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(vocabulary);
        _grammar = grammar;
        _vocabulary = vocabulary;
        _state = new MatcherState(grammar);
        _scratch = new MatcherState(grammar);
        _mask = new ulong[(vocabulary.Count + 63) / 64];
    }

    /// <summary>Gets a value indicating whether the output may end here (a stop token is allowed).</summary>
    public bool IsComplete => _state.CanEnd();

    /// <summary>Gets a value indicating whether the output is finished: complete, and no further byte is allowed.</summary>
    public bool IsFinished => _state.Depth == 0;

    /// <summary>Gets the fewest bytes (so the fewest tokens) that complete the output from here; 0 when it may end now.</summary>
    public int MinBytesToComplete => _state.MinBytesToComplete();

    /// <summary>Computes which tokens may come next.</summary>
    /// <param name="mask">Receives one bit per token id (bit <c>id % 64</c> of word <c>id / 64</c>); at least <c>(Count + 63) / 64</c> words.</param>
    /// <param name="tokensLeft">
    /// The tokens the output may still have, this one included: a token is allowed only if the output can still be
    /// completed within the rest (so a budget never cuts a document that could have been finished); when even the
    /// shortest completion has more bytes than that, only tokens that shorten it are allowed.
    /// </param>
    /// <returns>The number of allowed tokens (stop tokens not counted).</returns>
    public int ComputeMask(Span<ulong> mask, int tokensLeft = int.MaxValue)
    {
        int words = (_vocabulary.Count + 63) / 64;
        if (mask.Length < words)
        {
            throw new ArgumentException($"The mask needs {words} words for {_vocabulary.Count} tokens.", nameof(mask));
        }

        mask = mask[..words];
        mask.Clear();
        if (_state.Depth == 0)
        {
            return 0;
        }

        _budget = int.MaxValue;
        bool unchangedFits = true;
        // Free text may end anywhere; a call it starts is then held to the budget (and dropped by the caller if the
        // budget still cuts it).
        bool freeText = _state.Depth == 1 && _state.Top.Kind == FrameKind.Free;
        if (tokensLeft != int.MaxValue && !freeText)
        {
            // Too little budget even for the shortest completion (a token may hold many bytes): each token must
            // at least bring the output closer to complete.
            int need = _state.MinBytesToComplete();
            _budget = need > tokensLeft - 1 && need > 0 ? need - 1 : tokensLeft - 1;

            // Tokens that leave the state as it is also leave the bytes to completion as they are.
            unchangedFits = need <= _budget;
        }

        ref Frame top = ref _state.Top;
        TokenTrie trie;
        if (top.Kind == FrameKind.String && top.Phase == 0 && top.A == 0)
        {
            // Tokens of whole characters without quote, backslash or control bytes leave an open string as it is.
            (var plain, trie) = _vocabulary.PlainString;
            if (unchangedFits)
            {
                plain.CopyTo(mask);
            }
        }
        else if (top.Kind == FrameKind.Free && _state.Depth == 1 && FreeTextShortcut)
        {
            // Tokens without the tags' first byte leave free text as it is, unless they continue a partly written tag:
            // those are walked from the root edges that continue it, the tokens with the first byte in their own trie.
            (var free, trie) = _vocabulary.WithoutByte(_grammar.OpenTag[0]);
            free.CopyTo(mask);
            PrepareLevels(trie);
            foreach (byte next in (ReadOnlySpan<byte>)[top.A > 0 ? _grammar.OpenTag[top.A] : (byte)0, top.B > 0 ? _grammar.CloseTag[top.B] : (byte)0])
            {
                if (next != 0)
                {
                    VisitRootEdge(_vocabulary.All, next, mask);
                }
            }
        }
        else
        {
            trie = _vocabulary.All;
        }

        PrepareLevels(trie);
        Visit(trie, 0, 0, mask);
        int allowed = 0;
        foreach (ulong word in mask)
        {
            allowed += System.Numerics.BitOperations.PopCount(word);
        }

        return allowed;
    }

    /// <summary>Masks the logits of every token that may not come next (set to −∞), stop tokens included until the output may end.</summary>
    /// <param name="logits">The next-token logits (at least the vocabulary's ids; rows past it are masked).</param>
    /// <param name="stopTokenIds">The ids that end the output.</param>
    /// <exception cref="InvalidOperationException">No token is allowed (the vocabulary cannot spell any continuation the grammar allows).</exception>
    /// <param name="tokensLeft">The tokens the output may still have, this one included (see <see cref="ComputeMask"/>).</param>
    public void Apply(Span<float> logits, IReadOnlyCollection<int> stopTokenIds, int tokensLeft = int.MaxValue)
    {
        ArgumentNullException.ThrowIfNull(stopTokenIds);
        bool complete = IsComplete;
        int allowed = ComputeMask(_mask, tokensLeft);
        if (allowed == 0 && !complete && tokensLeft != int.MaxValue)
        {
            // Not reachable with a byte-level vocabulary (a single byte always makes progress): follow the grammar alone.
            allowed = ComputeMask(_mask);
        }

        if (allowed == 0 && !complete)
        {
            throw new InvalidOperationException("Constrained decoding reached a state that no token of the vocabulary can continue.");
        }

        Span<float> kept = stackalloc float[Math.Min(stopTokenIds.Count, 16)];
        int k = 0;
        foreach (int stop in stopTokenIds)
        {
            if (k < kept.Length)
            {
                kept[k++] = (uint)stop < (uint)logits.Length ? logits[stop] : 0;
            }
        }

        int count = Math.Min(logits.Length, _vocabulary.Count);
        for (int w = 0; w * 64 < count; w++)
        {
            ulong word = _mask[w];
            if (word == ulong.MaxValue)
            {
                continue;
            }

            int end = Math.Min(count, (w + 1) * 64);
            for (int id = w * 64; id < end; id++)
            {
                if ((word & (1UL << id)) == 0)
                {
                    logits[id] = float.NegativeInfinity;
                }
            }
        }

        logits[count..].Fill(float.NegativeInfinity);
        k = 0;
        foreach (int stop in stopTokenIds)
        {
            if (k < kept.Length && (uint)stop < (uint)logits.Length)
            {
                logits[stop] = complete ? kept[k] : float.NegativeInfinity;
            }

            k++;
        }
    }

    /// <summary>Advances by a token's bytes.</summary>
    /// <param name="tokenId">The token id.</param>
    /// <returns>Whether the grammar allows the token here; when not, the matcher is unchanged.</returns>
    public bool TryAccept(int tokenId) => TryAccept(_vocabulary.GetBytes(tokenId)) && !_vocabulary.GetBytes(tokenId).IsEmpty;

    /// <summary>Advances by text (its UTF-8 bytes).</summary>
    /// <param name="text">The text.</param>
    /// <returns>Whether the grammar allows the text here; when not, the matcher is unchanged.</returns>
    public bool TryAccept(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryAccept(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Advances by bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>Whether the grammar allows the bytes here; when not, the matcher is unchanged.</returns>
    public bool TryAccept(ReadOnlySpan<byte> bytes)
    {
        _scratch.CopyFrom(_state);
        foreach (byte b in bytes)
        {
            if (!_scratch.Advance(b))
            {
                return false;
            }
        }

        (_state, _scratch) = (_scratch, _state);
        return true;
    }

    /// <summary>Gets a value indicating whether free text may use the precomputed mask: both tags start with the same byte, found nowhere else in them.</summary>
    private bool FreeTextShortcut =>
        _grammar.CloseTag.Length > 0 && _grammar.CloseTag[0] == _grammar.OpenTag[0] &&
        !_grammar.OpenTag.AsSpan(1).Contains(_grammar.OpenTag[0]) && !_grammar.CloseTag.AsSpan(1).Contains(_grammar.OpenTag[0]);

    private void PrepareLevels(TokenTrie trie)
    {
        int depth = Math.Max(trie.MaxDepth, _vocabulary.All.MaxDepth);
        while (_levels.Count <= depth)
        {
            _levels.Add(new MatcherState(_grammar));
        }

        _levels[0].CopyFrom(_state);
    }

    /// <summary>Re-decides every token below one root edge: clears them, then walks them with the matcher.</summary>
    private void VisitRootEdge(TokenTrie trie, byte value, Span<ulong> mask)
    {
        int start = trie.EdgeStart[0];
        int end = start + trie.EdgeCount[0];
        for (int e = start; e < end; e++)
        {
            if (trie.EdgeByte[e] != value)
            {
                continue;
            }

            int child = trie.EdgeChild[e];
            ClearSubtree(trie, child, mask);
            var state = _levels[1];
            state.CopyFrom(_levels[0]);
            if (!state.Advance(value))
            {
                return;
            }

            if (trie.FirstToken[child] >= 0 && (_budget == int.MaxValue || state.MinBytesToComplete() <= _budget))
            {
                for (int id = trie.FirstToken[child]; id >= 0; id = trie.NextToken[id])
                {
                    mask[id >> 6] |= 1UL << id;
                }
            }

            Visit(trie, child, 1, mask);
            return;
        }
    }

    private static void ClearSubtree(TokenTrie trie, int node, Span<ulong> mask)
    {
        for (int id = trie.FirstToken[node]; id >= 0; id = trie.NextToken[id])
        {
            mask[id >> 6] &= ~(1UL << id);
        }

        int start = trie.EdgeStart[node];
        for (int e = start; e < start + trie.EdgeCount[node]; e++)
        {
            ClearSubtree(trie, trie.EdgeChild[e], mask);
        }
    }

    private void Visit(TokenTrie trie, int node, int level, Span<ulong> mask)
    {
        var parent = _levels[level];
        var state = _levels[level + 1];
        int start = trie.EdgeStart[node];
        int end = start + trie.EdgeCount[node];
        for (int e = start; e < end; e++)
        {
            state.CopyFrom(parent);
            if (!state.Advance(trie.EdgeByte[e]))
            {
                continue;
            }

            int child = trie.EdgeChild[e];
            if (trie.FirstToken[child] >= 0 && (_budget == int.MaxValue || state.MinBytesToComplete() <= _budget))
            {
                for (int id = trie.FirstToken[child]; id >= 0; id = trie.NextToken[id])
                {
                    mask[id >> 6] |= 1UL << id;
                }
            }

            if (trie.EdgeCount[child] > 0)
            {
                Visit(trie, child, level + 1, mask);
            }
        }
    }
}
