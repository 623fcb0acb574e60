using System.Text;
using System.Text.Json;

namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// A compiled output grammar for constrained decoding: one JSON value (any, or an instance of a JSON Schema), or
/// tagged calls (<c>&lt;tool_call&gt;</c>-style) whose bodies are JSON values of per-call schemas. Immutable and
/// thread-safe; match output with a <see cref="GrammarMatcher"/>. See docs/structured-output.md for the schema subset.
/// </summary>
public sealed class JsonGrammar
{
    internal JsonGrammar(JsonGrammarOptions options, List<GrammarNode> nodes, List<LiteralSet> sets, FrameTemplate root, byte[]? openTag = null, int callSet = -1, int rootCallSet = -1, byte[]? closeTag = null)
    {
        CloseTag = closeTag ?? [];
        CloseTagFailure = Failure(CloseTag);
        RootCallSet = rootCallSet;
        Options = options;
        Nodes = [.. nodes];
        Sets = [.. sets];
        Root = root;
        OpenTag = openTag ?? [];
        OpenTagFailure = Failure(OpenTag);
        CallSet = callSet;
        (NodeMinLength, SetMinLength, ItemMinLength) = MinimumLengths(Nodes, Sets);
    }

    /// <summary>Gets the bounds this grammar enforces.</summary>
    public JsonGrammarOptions Options { get; }

    internal GrammarNode[] Nodes { get; }

    internal LiteralSet[] Sets { get; }

    internal FrameTemplate Root { get; }

    internal byte[] OpenTag { get; }

    internal int[] OpenTagFailure { get; }

    /// <summary>Gets the close tag, which free text may not contain (empty when not watched).</summary>
    internal byte[] CloseTag { get; }

    internal int[] CloseTagFailure { get; }

    internal int CallSet { get; }

    /// <summary>Gets, per node, the bytes of its shortest value.</summary>
    internal int[] NodeMinLength { get; }

    /// <summary>Gets, per literal set, the bytes of its shortest item plus what the item's continuation needs at least.</summary>
    internal int[] SetMinLength { get; }

    /// <summary>Gets, per literal set and sorted item, the least bytes its continuation needs (the item itself not counted).</summary>
    internal int[][] ItemMinLength { get; }

    /// <summary>Gets the literal set of calls the output may consist of instead of its root value (the open tag's first byte starts them), or -1.</summary>
    internal int RootCallSet { get; }

    /// <summary>Creates the grammar of any one JSON value.</summary>
    /// <param name="options">The bounds; <see langword="null"/> for the defaults.</param>
    /// <returns>The grammar.</returns>
    public static JsonGrammar AnyValue(JsonGrammarOptions? options = null)
    {
        var compiler = new JsonSchemaCompiler(Validated(options));
        return compiler.Finish(new FrameTemplate(FrameKind.Value, JsonSchemaCompiler.AnyNode));
    }

    /// <summary>Creates the grammar of the instances of a JSON Schema.</summary>
    /// <param name="schema">The schema (the subset <c>AIJsonUtilities.CreateJsonSchema</c> produces; see docs/structured-output.md).</param>
    /// <param name="options">The bounds; <see langword="null"/> for the defaults.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="NotSupportedException">The schema uses a keyword outside the supported subset (the message names it and where).</exception>
    /// <exception cref="ArgumentException">The schema is malformed or cannot be satisfied (the message says where).</exception>
    public static JsonGrammar FromSchema(JsonElement schema, JsonGrammarOptions? options = null)
    {
        var compiler = new JsonSchemaCompiler(Validated(options));
        int root = compiler.Compile(schema, "#");
        return compiler.Finish(new FrameTemplate(FrameKind.Value, root));
    }

    /// <summary>
    /// Creates the grammar of tagged calls: <paramref name="openTag"/>, an alternative's prefix, a JSON value of its
    /// schema, its suffix, <paramref name="closeTag"/>. When <paramref name="required"/>, the whole output is one or
    /// more calls joined by <paramref name="separator"/>; otherwise the output is free text in which each occurrence
    /// of <paramref name="openTag"/> starts a call that must be completed (and which may not contain <paramref name="closeTag"/>).
    /// </summary>
    /// <param name="alternatives">The calls allowed (their prefixes must differ, none a prefix of another).</param>
    /// <param name="openTag">The text that opens a call.</param>
    /// <param name="closeTag">The text that closes a call.</param>
    /// <param name="separator">The text between two calls when <paramref name="required"/>.</param>
    /// <param name="required">Whether the output must consist of calls only.</param>
    /// <param name="options">The bounds; <see langword="null"/> for the defaults.</param>
    /// <returns>The grammar.</returns>
    /// <exception cref="NotSupportedException">A schema uses a keyword outside the supported subset.</exception>
    public static JsonGrammar TaggedCalls(IReadOnlyList<CallAlternative> alternatives, string openTag, string closeTag, string separator, bool required, JsonGrammarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(alternatives);
        ArgumentException.ThrowIfNullOrEmpty(openTag);
        ArgumentNullException.ThrowIfNull(closeTag);
        ArgumentNullException.ThrowIfNull(separator);
        if (alternatives.Count == 0)
        {
            throw new ArgumentException("A tagged-call grammar needs at least one alternative.", nameof(alternatives));
        }

        var compiler = new JsonSchemaCompiler(Validated(options));
        int first = AddCalls(compiler, alternatives, openTag, closeTag, separator, required, out int freeCalls);
        return required
            ? compiler.Finish(new FrameTemplate(FrameKind.Literal, first))
            : compiler.Finish(new FrameTemplate(FrameKind.Free, 0), Encoding.UTF8.GetBytes(openTag), freeCalls, closeTag: Encoding.UTF8.GetBytes(closeTag));
    }

    /// <summary>
    /// Creates the grammar of either one JSON value of a schema or, instead, one or more tagged calls (as with
    /// <see cref="TaggedCalls"/> and <c>required</c>): the output's first byte decides. For a model offered tools
    /// that must answer in JSON: it either calls, or answers.
    /// </summary>
    /// <param name="alternatives">The calls allowed.</param>
    /// <param name="openTag">The text that opens a call; its first byte must not start a JSON value or be whitespace.</param>
    /// <param name="closeTag">The text that closes a call.</param>
    /// <param name="separator">The text between two calls.</param>
    /// <param name="valueSchema">The value's schema, or <see langword="null"/> for any JSON value.</param>
    /// <param name="options">The bounds; <see langword="null"/> for the defaults.</param>
    /// <returns>The grammar.</returns>
    public static JsonGrammar TaggedCallsOrValue(IReadOnlyList<CallAlternative> alternatives, string openTag, string closeTag, string separator, JsonElement? valueSchema, JsonGrammarOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(alternatives);
        ArgumentException.ThrowIfNullOrEmpty(openTag);
        if ("{[\"-0123456789tfn \t\r\n".Contains(openTag[0], StringComparison.Ordinal))
        {
            throw new ArgumentException($"The open tag '{openTag}' starts like a JSON value, so a call and a value could not be told apart.", nameof(openTag));
        }

        var compiler = new JsonSchemaCompiler(Validated(options));
        int value = valueSchema is { } schema ? compiler.Compile(schema, "#") : JsonSchemaCompiler.AnyNode;
        int first = AddCalls(compiler, alternatives, openTag, closeTag, separator, required: true, out _);
        return compiler.Finish(new FrameTemplate(FrameKind.Value, value), Encoding.UTF8.GetBytes(openTag), -1, first);
    }

    private static int AddCalls(JsonSchemaCompiler compiler, IReadOnlyList<CallAlternative> alternatives, string openTag, string closeTag, string separator, bool required, out int freeCalls)
    {
        ArgumentNullException.ThrowIfNull(closeTag);
        ArgumentNullException.ThrowIfNull(separator);
        if (alternatives.Count == 0)
        {
            throw new ArgumentException("A tagged-call grammar needs at least one alternative.", nameof(alternatives));
        }

        var values = alternatives.Select((a, i) => compiler.Compile(a.Schema, $"alternatives[{i}]")).ToArray();
        var closes = alternatives.Select(a => compiler.AddSet([Encoding.UTF8.GetBytes(a.Suffix + closeTag)])).ToArray();
        freeCalls = -1;
        if (!required)
        {
            freeCalls = compiler.AddSet(
                [.. alternatives.Select(a => Encoding.UTF8.GetBytes(a.Prefix))],
                [.. alternatives.Select((_, i) => new[] { new FrameTemplate(FrameKind.Literal, closes[i]), new FrameTemplate(FrameKind.Value, values[i]) })]);
            return -1;
        }

        // After a call: the end of the output, or the separator and the next call (the set refers to itself).
        int after = compiler.NextSetIndex + 1;
        FrameTemplate[] Then(int i) => [new(FrameKind.Literal, after), new(FrameKind.Literal, closes[i]), new(FrameKind.Value, values[i])];
        int first = compiler.AddSet([.. alternatives.Select(a => Encoding.UTF8.GetBytes(openTag + a.Prefix))], [.. alternatives.Select((_, i) => Then(i))]);
        int next = compiler.AddSet(
            [[], .. alternatives.Select(a => Encoding.UTF8.GetBytes(separator + openTag + a.Prefix))],
            [null, .. alternatives.Select((_, i) => Then(i))]);
        return next == after ? first : throw new InvalidOperationException("Literal sets were numbered out of order.");
    }

    private static JsonGrammarOptions Validated(JsonGrammarOptions? options)
    {
        var copy = options is null ? new JsonGrammarOptions() : new JsonGrammarOptions
        {
            MaxWhitespaceRun = options.MaxWhitespaceRun,
            MaxIntegerDigits = options.MaxIntegerDigits,
            MaxNumberDigits = options.MaxNumberDigits,
            MaxNestingDepth = options.MaxNestingDepth,
        };
        copy.Validate();
        return copy;
    }

    private static (int[] Nodes, int[] Sets, int[][] Items) MinimumLengths(GrammarNode[] nodes, LiteralSet[] sets)
    {
        const int Huge = 1 << 24;
        var setMin = new int[sets.Length];
        for (int i = 0; i < sets.Length; i++)
        {
            setMin[i] = sets[i].Items.Min(item => item.Length);
        }

        // Children are compiled after their parent (higher index); node 0 (any value) needs one digit at least.
        var nodeMin = new int[nodes.Length];
        for (int i = nodes.Length - 1; i >= 0; i--)
        {
            var node = nodes[i];
            if (node.EnumSet >= 0)
            {
                nodeMin[i] = setMin[node.EnumSet];
                continue;
            }

            int best = Huge;
            var t = node.Types;
            if ((t & (JsonValueTypes.Integer | JsonValueTypes.Number)) != 0)
            {
                best = 1;
            }

            if ((t & JsonValueTypes.String) != 0)
            {
                best = Math.Min(best, 2);
            }

            if ((t & (JsonValueTypes.Null | JsonValueTypes.Boolean)) != 0)
            {
                best = Math.Min(best, 4);
            }

            if ((t & JsonValueTypes.Array) != 0 && node.MaxItems >= node.MinItems)
            {
                int item = node.ItemsNode == i ? 1 : nodeMin[node.ItemsNode];
                best = Math.Min(best, 2 + (node.MinItems == 0 ? 0 : Math.Min(Huge, (node.MinItems * (item + 1)) - 1)));
            }

            if ((t & JsonValueTypes.Object) != 0)
            {
                int total = 2;
                int required = 0;
                for (int p = 0; p < node.PropertyNames.Length; p++)
                {
                    if ((node.RequiredMask & (1UL << p)) != 0)
                    {
                        total = Math.Min(Huge, total + node.KeyLengths[p] + 1 + nodeMin[node.PropertyNodes[p]]);
                        required++;
                    }
                }

                best = Math.Min(best, total + Math.Max(0, required - 1));
            }

            nodeMin[i] = best;
        }

        // Continuations may refer back to their own set (calls after calls): iterate to the fixed point.
        var itemMin = sets.Select(set => new int[set.Items.Length]).ToArray();
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int i = 0; i < sets.Length; i++)
            {
                int best = Huge;
                for (int j = 0; j < sets[i].Items.Length; j++)
                {
                    int then = 0;
                    foreach (var template in sets[i].Continuations[j] ?? [])
                    {
                        then += template.Kind switch
                        {
                            FrameKind.Literal => setMin[template.Index],
                            FrameKind.Value => nodeMin[template.Index],
                            _ => 0,
                        };
                    }

                    itemMin[i][j] = Math.Min(Huge, then);
                    best = Math.Min(best, sets[i].Items[j].Length + itemMin[i][j]);
                }

                if (best != setMin[i])
                {
                    setMin[i] = best;
                    changed = true;
                }
            }
        }

        return (nodeMin, setMin, itemMin);
    }

    private static int[] Failure(byte[] tag)
    {
        // Knuth-Morris-Pratt: the longest proper prefix of tag[..i+1] that is also its suffix.
        var failure = new int[tag.Length];
        for (int i = 1, k = 0; i < tag.Length; i++)
        {
            while (k > 0 && tag[i] != tag[k])
            {
                k = failure[k - 1];
            }

            if (tag[i] == tag[k])
            {
                k++;
            }

            failure[i] = k;
        }

        return failure;
    }
}
