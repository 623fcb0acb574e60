using System.Text.Json;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>Typed access to JSON fields with errors that name the file and the field.</summary>
internal readonly struct FieldReader(JsonElement root, string path)
{
    public string String(string name) =>
        OptionalString(name) ?? throw new InvalidDataException($"'{path}': field '{name}' is missing.");

    public string? OptionalString(string name) =>
        Get(name) is { } e ? (e.ValueKind == JsonValueKind.String ? e.GetString() : throw Bad(name, e, "a string")) : null;

    public int PositiveInt(string name) =>
        OptionalPositiveInt(name) ?? throw new InvalidDataException($"'{path}': field '{name}' is missing.");

    public int? OptionalPositiveInt(string name)
    {
        if (Get(name) is not { } e)
        {
            return null;
        }

        if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out int v) || v <= 0)
        {
            throw Bad(name, e, "a positive integer");
        }

        return v;
    }

    /// <remarks>A number beyond double's range (1e400) reads as infinity: refused here, naming the field, since no setting is meant to be infinite.</remarks>
    public double? OptionalDouble(string name) =>
        Get(name) is { } e ? (e.ValueKind == JsonValueKind.Number && double.IsFinite(e.GetDouble()) ? e.GetDouble() : throw Bad(name, e, "a finite number")) : null;

    public bool? OptionalBool(string name) =>
        Get(name) is { } e ? (e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Bad(name, e, "true or false")) : null;

    public JsonElement? OptionalObject(string name) =>
        Get(name) is { } e ? (e.ValueKind == JsonValueKind.Object ? e : throw Bad(name, e, "an object")) : null;

    public IReadOnlyList<int> OptionalIntList(string name)
    {
        if (Get(name) is not { } e)
        {
            return [];
        }

        var items = e.ValueKind switch
        {
            JsonValueKind.Number => [e],
            JsonValueKind.Array => e.EnumerateArray().ToList(),
            _ => throw Bad(name, e, "an integer or a list of integers"),
        };
        var values = new int[items.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (items[i].ValueKind != JsonValueKind.Number || !items[i].TryGetInt32(out values[i]))
            {
                throw Bad(name, e, "an integer or a list of integers");
            }
        }

        return values;
    }

    private JsonElement? Get(string name) =>
        root.TryGetProperty(name, out var e) && e.ValueKind != JsonValueKind.Null ? e : null;

    private InvalidDataException Bad(string name, JsonElement e, string expected) =>
        new($"'{path}': field '{name}' has value {e.GetRawText()}; expected {expected}.");
}
