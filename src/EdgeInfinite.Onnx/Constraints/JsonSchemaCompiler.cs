using System.Text.Encodings.Web;
using System.Text.Json;

namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// Compiles JSON Schema (the subset .NET's schema exporters produce) into grammar nodes. Validation keywords outside
/// the subset are refused with a <see cref="NotSupportedException"/> naming the keyword and its location, so a
/// schema is never silently loosened; annotations (descriptions, titles, defaults, formats) are accepted and not enforced.
/// </summary>
internal sealed class JsonSchemaCompiler
{
    /// <summary>The node of any JSON value (always index 0).</summary>
    public const int AnyNode = 0;

    private static readonly HashSet<string> s_annotations = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$comment", "title", "description", "default", "examples", "format", "readOnly", "writeOnly", "deprecated",
    };

    private static readonly JsonWriterOptions s_compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private readonly JsonGrammarOptions _options;
    private readonly List<GrammarNode> _nodes = [];
    private readonly List<LiteralSet> _sets = [];
    private readonly Dictionary<JsonValueTypes, int> _keywordSets = [];

    public JsonSchemaCompiler(JsonGrammarOptions options)
    {
        _options = options;
        var any = new GrammarNode { Types = JsonValueTypes.Any, AdditionalNode = AnyNode, ItemsNode = AnyNode };
        _nodes.Add(any);
        any.KeywordSet = KeywordSet(JsonValueTypes.Any);
    }

    /// <summary>Gets the index the next literal set will get.</summary>
    public int NextSetIndex => _sets.Count;

    /// <summary>Adds a literal set.</summary>
    public int AddSet(IReadOnlyList<byte[]> items, IReadOnlyList<FrameTemplate[]?>? continuations = null)
    {
        _sets.Add(new LiteralSet(items, continuations));
        return _sets.Count - 1;
    }

    /// <summary>Builds the grammar.</summary>
    public JsonGrammar Finish(FrameTemplate root, byte[]? openTag = null, int callSet = -1, int rootCallSet = -1, byte[]? closeTag = null) =>
        new(_options, _nodes, _sets, root, openTag, callSet, rootCallSet, closeTag);

    /// <summary>Compiles a schema; returns its node.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="path">Where it is (for messages).</param>
    public int Compile(JsonElement schema, string path)
    {
        if (schema.ValueKind == JsonValueKind.True)
        {
            return AnyNode;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            throw new NotSupportedException($"The JSON Schema at '{path}' is 'false' (no value allowed), which constrained decoding cannot produce.");
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"The JSON Schema at '{path}' is a {schema.ValueKind}, not an object or boolean.", nameof(schema));
        }

        var node = new GrammarNode();
        int index = _nodes.Count;
        _nodes.Add(node);
        JsonElement? properties = null, required = null, additional = null, items = null, enumValues = null, constValue = null;
        foreach (var keyword in schema.EnumerateObject())
        {
            switch (keyword.Name)
            {
                case "type": node.Types = ParseTypes(keyword.Value, path); break;
                case "properties": properties = keyword.Value; break;
                case "required": required = keyword.Value; break;
                case "additionalProperties": additional = keyword.Value; break;
                case "items": items = keyword.Value; break;
                case "enum": enumValues = keyword.Value; break;
                case "const": constValue = keyword.Value; break;
                case "minItems": node.MinItems = Count(keyword.Value, path, "minItems"); break;
                case "maxItems": node.MaxItems = Count(keyword.Value, path, "maxItems"); break;
                default:
                    if (!s_annotations.Contains(keyword.Name))
                    {
                        throw new NotSupportedException($"JSON Schema keyword '{keyword.Name}' at '{path}' is not supported by constrained decoding (see docs/structured-output.md for the supported subset).");
                    }

                    break;
            }
        }

        if (constValue is { } c)
        {
            node.EnumSet = AddSet([Serialize(c)]);
        }
        else if (enumValues is { } e)
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() == 0)
            {
                throw new ArgumentException($"'enum' at '{path}' must be a non-empty array.", nameof(schema));
            }

            var allowed = e.EnumerateArray().Where(v => Allows(node.Types, v)).Select(Serialize).Distinct(ByteArrayComparer.Instance).ToList();
            node.EnumSet = allowed.Count > 0 ? AddSet(allowed) : throw new ArgumentException($"No value of 'enum' at '{path}' has the schema's 'type'.", nameof(schema));
        }

        node.KeywordSet = KeywordSet(node.Types);
        node.ItemsNode = items is { } itemSchema ? Compile(itemSchema, path + "/items") : AnyNode;
        CompileObject(node, properties, required, additional, path);
        return index;
    }

    private void CompileObject(GrammarNode node, JsonElement? properties, JsonElement? required, JsonElement? additional, string path)
    {
        var names = new List<string>();
        var nodes = new List<int>();
        if (properties is { } props)
        {
            if (props.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"'properties' at '{path}' must be an object.", nameof(properties));
            }

            foreach (var property in props.EnumerateObject())
            {
                names.Add(property.Name);
                nodes.Add(Compile(property.Value, $"{path}/properties/{property.Name}"));
            }
        }

        if (names.Count > 64)
        {
            throw new NotSupportedException($"'properties' at '{path}' declares {names.Count} properties; constrained decoding supports at most 64 per object.");
        }

        node.PropertyNames = [.. names];
        node.PropertyNodes = [.. nodes];
        if (required is { } req)
        {
            if (req.ValueKind != JsonValueKind.Array)
            {
                throw new ArgumentException($"'required' at '{path}' must be an array.", nameof(required));
            }

            foreach (var name in req.EnumerateArray())
            {
                int at = name.ValueKind == JsonValueKind.String ? names.IndexOf(name.GetString()!) : -1;
                node.RequiredMask |= at >= 0
                    ? 1UL << at
                    : throw new NotSupportedException($"'required' at '{path}' names '{name}', which 'properties' does not declare; constrained decoding needs required properties declared.");
            }
        }

        // Declared properties (even none): keys are limited to them (open additionalProperties included: an undeclared
        // key would carry no schema to constrain it). No 'properties': free keys whose values follow additionalProperties.
        if (properties is not null)
        {
            var keys = names.Select(n => Serialize(JsonSerializer.SerializeToElement(n))).ToList();
            node.KeyLengths = [.. keys.Select(k => k.Length)];
            node.KeySet = names.Count > 0 ? AddSet(keys) : -1;
            node.AdditionalNode = -1;
        }
        else
        {
            node.AdditionalNode = additional switch
            {
                null => AnyNode,
                { ValueKind: JsonValueKind.False } => -1,
                { } schema => Compile(schema, path + "/additionalProperties"),
            };
        }
    }

    private int KeywordSet(JsonValueTypes types)
    {
        types &= JsonValueTypes.Boolean | JsonValueTypes.Null;
        if (types == JsonValueTypes.None)
        {
            return -1;
        }

        if (!_keywordSets.TryGetValue(types, out int set))
        {
            var words = new List<byte[]>();
            if ((types & JsonValueTypes.Boolean) != 0)
            {
                words.Add("true"u8.ToArray());
                words.Add("false"u8.ToArray());
            }

            if ((types & JsonValueTypes.Null) != 0)
            {
                words.Add("null"u8.ToArray());
            }

            set = AddSet(words);
            _keywordSets[types] = set;
        }

        return set;
    }

    private static JsonValueTypes ParseTypes(JsonElement value, string path)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return ParseType(value.GetString()!, path);
        }

        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0)
        {
            var types = JsonValueTypes.None;
            foreach (var item in value.EnumerateArray())
            {
                types |= item.ValueKind == JsonValueKind.String ? ParseType(item.GetString()!, path) : throw new ArgumentException($"'type' at '{path}' lists a non-string.", nameof(value));
            }

            return types;
        }

        throw new ArgumentException($"'type' at '{path}' must be a string or a non-empty array of strings.", nameof(value));
    }

    private static JsonValueTypes ParseType(string name, string path) => name switch
    {
        "null" => JsonValueTypes.Null,
        "boolean" => JsonValueTypes.Boolean,
        "integer" => JsonValueTypes.Integer,
        "number" => JsonValueTypes.Number | JsonValueTypes.Integer,
        "string" => JsonValueTypes.String,
        "array" => JsonValueTypes.Array,
        "object" => JsonValueTypes.Object,
        _ => throw new ArgumentException($"'type' at '{path}' has unknown type '{name}'.", nameof(name)),
    };

    private static bool Allows(JsonValueTypes types, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => (types & JsonValueTypes.Null) != 0,
        JsonValueKind.True or JsonValueKind.False => (types & JsonValueTypes.Boolean) != 0,
        JsonValueKind.String => (types & JsonValueTypes.String) != 0,
        JsonValueKind.Array => (types & JsonValueTypes.Array) != 0,
        JsonValueKind.Object => (types & JsonValueTypes.Object) != 0,
        _ => (types & JsonValueTypes.Number) != 0 || ((types & JsonValueTypes.Integer) != 0 && value.TryGetInt64(out _)),
    };

    private static int Count(JsonElement value, string path, string keyword) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 0
            ? n
            : throw new ArgumentException($"'{keyword}' at '{path}' must be a non-negative integer.", nameof(value));

    private static byte[] Serialize(JsonElement value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, s_compact))
        {
            value.WriteTo(writer);
        }

        return buffer.ToArray();
    }
}
