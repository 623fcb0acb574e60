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
    internal JsonGrammar(JsonGrammarOptions options, List<GrammarNode> nodes, List<LiteralSet> sets, FrameTemplate root, byte[]? openTag = null, int callSet = -1)
    {
        Options = options;
        Nodes = [.. nodes];
        Sets = [.. sets];
        Root = root;
        OpenTag = openTag ?? [];
        OpenTagFailure = Failure(OpenTag);
        CallSet = callSet;
    }

    /// <summary>Gets the bounds this grammar enforces.</summary>
    public JsonGrammarOptions Options { get; }

    internal GrammarNode[] Nodes { get; }

    internal LiteralSet[] Sets { get; }

    internal FrameTemplate Root { get; }

    internal byte[] OpenTag { get; }

    internal int[] OpenTagFailure { get; }

    internal int CallSet { get; }

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
    /// of <paramref name="openTag"/> starts a call that must be completed.
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
        var values = alternatives.Select((a, i) => compiler.Compile(a.Schema, $"alternatives[{i}]")).ToArray();
        var closes = alternatives.Select(a => compiler.AddSet([Encoding.UTF8.GetBytes(a.Suffix + closeTag)])).ToArray();
        byte[] open = Encoding.UTF8.GetBytes(openTag);
        if (!required)
        {
            int calls = compiler.AddSet(
                [.. alternatives.Select(a => Encoding.UTF8.GetBytes(a.Prefix))],
                [.. alternatives.Select((_, i) => new[] { new FrameTemplate(FrameKind.Literal, closes[i]), new FrameTemplate(FrameKind.Value, values[i]) })]);
            return compiler.Finish(new FrameTemplate(FrameKind.Free, 0), open, calls);
        }

        // After a call: the end of the output, or the separator and the next call (the set refers to itself).
        int after = compiler.NextSetIndex + 1;
        FrameTemplate[] Then(int i) => [new(FrameKind.Literal, after), new(FrameKind.Literal, closes[i]), new(FrameKind.Value, values[i])];
        int first = compiler.AddSet([.. alternatives.Select(a => Encoding.UTF8.GetBytes(openTag + a.Prefix))], [.. alternatives.Select((_, i) => Then(i))]);
        int next = compiler.AddSet(
            [[], .. alternatives.Select(a => Encoding.UTF8.GetBytes(separator + openTag + a.Prefix))],
            [null, .. alternatives.Select((_, i) => Then(i))]);
        return next == after
            ? compiler.Finish(new FrameTemplate(FrameKind.Literal, first))
            : throw new InvalidOperationException("Literal sets were numbered out of order.");
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
