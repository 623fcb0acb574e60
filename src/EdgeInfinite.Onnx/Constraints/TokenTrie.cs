namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// A prefix trie over some tokens' bytes, flattened into arrays: the mask search walks it once per decoded token,
/// advancing one matcher copy per edge, so tokens sharing a prefix share the work and a rejected byte prunes the
/// whole subtree.
/// </summary>
internal sealed class TokenTrie
{
    private TokenTrie(int[] edgeStart, int[] edgeCount, byte[] edgeByte, int[] edgeChild, int[] firstToken, int[] nextToken, int maxDepth, int tokens)
    {
        EdgeStart = edgeStart;
        EdgeCount = edgeCount;
        EdgeByte = edgeByte;
        EdgeChild = edgeChild;
        FirstToken = firstToken;
        NextToken = nextToken;
        MaxDepth = maxDepth;
        TokenCount = tokens;
    }

    /// <summary>Gets, per node, the index of its first outgoing edge.</summary>
    public int[] EdgeStart { get; }

    /// <summary>Gets, per node, its number of outgoing edges.</summary>
    public int[] EdgeCount { get; }

    /// <summary>Gets, per edge, its byte.</summary>
    public byte[] EdgeByte { get; }

    /// <summary>Gets, per edge, the node it leads to.</summary>
    public int[] EdgeChild { get; }

    /// <summary>Gets, per node, the first token whose bytes end there, or -1.</summary>
    public int[] FirstToken { get; }

    /// <summary>Gets, per token id, the next token with the same bytes, or -1.</summary>
    public int[] NextToken { get; }

    /// <summary>Gets the longest token, in bytes.</summary>
    public int MaxDepth { get; }

    /// <summary>Gets the number of tokens in the trie.</summary>
    public int TokenCount { get; }

    /// <summary>Gets the number of nodes (the root included).</summary>
    public int NodeCount => EdgeStart.Length;

    /// <summary>Builds the trie of the selected tokens.</summary>
    /// <param name="tokens">Every token's bytes (<see langword="null"/> for tokens that never appear in output).</param>
    /// <param name="include">Which tokens to include.</param>
    public static TokenTrie Build(IReadOnlyList<byte[]?> tokens, Func<int, byte[], bool> include)
    {
        // Build with per-node sorted child lists, then flatten breadth first so each node's edges are contiguous.
        var children = new List<SortedList<byte, int>?> { null };
        var heads = new List<int> { -1 };
        var next = new int[tokens.Count];
        Array.Fill(next, -1);
        int maxDepth = 0;
        int count = 0;
        for (int id = tokens.Count - 1; id >= 0; id--)
        {
            if (tokens[id] is not { Length: > 0 } bytes || !include(id, bytes))
            {
                continue;
            }

            int node = 0;
            foreach (byte b in bytes)
            {
                var map = children[node] ??= new SortedList<byte, int>();
                if (!map.TryGetValue(b, out int child))
                {
                    child = children.Count;
                    children.Add(null);
                    heads.Add(-1);
                    map.Add(b, child);
                }

                node = child;
            }

            next[id] = heads[node];
            heads[node] = id;
            maxDepth = Math.Max(maxDepth, bytes.Length);
            count++;
        }

        int n = children.Count;
        var order = new int[n];
        var newIndex = new int[n];
        int tail = 1;
        for (int head = 0; head < tail; head++)
        {
            if (children[order[head]] is { } map)
            {
                foreach (int child in map.Values)
                {
                    newIndex[child] = tail;
                    order[tail++] = child;
                }
            }
        }

        var edgeStart = new int[n];
        var edgeCount = new int[n];
        var edgeByte = new byte[n - 1];
        var edgeChild = new int[n - 1];
        var firstToken = new int[n];
        int edge = 0;
        for (int i = 0; i < n; i++)
        {
            int old = order[i];
            firstToken[i] = heads[old];
            edgeStart[i] = edge;
            if (children[old] is { } map)
            {
                foreach (var (b, child) in map)
                {
                    edgeByte[edge] = b;
                    edgeChild[edge++] = newIndex[child];
                }

                edgeCount[i] = map.Count;
            }
        }

        return new TokenTrie(edgeStart, edgeCount, edgeByte, edgeChild, firstToken, next, maxDepth, count);
    }
}
