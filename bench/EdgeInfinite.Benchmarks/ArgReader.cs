using System.Globalization;

namespace EdgeInfinite.Benchmarks;

/// <summary>Reads <c>--name value</c> pairs and <c>--flag</c>s; unknown names are errors.</summary>
internal sealed class ArgReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public ArgReader(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            if (!list[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{list[i]}'.");
            }

            bool hasValue = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal);
            _values[list[i]] = hasValue ? list[++i] : null;
        }
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v ?? throw new ArgumentException($"{name} needs a value.") : null;
    }

    public string Required(string name) => String(name) ?? throw new ArgumentException($"{name} is required.");

    public int Int(string name, int fallback) => String(name) is { } v ? ParseInt(name, v) : fallback;

    /// <summary>Parses an integer option's value, naming the option when it is not one (int.Parse's message names nothing).</summary>
    public static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{name}: '{value}' is not an integer.");

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public void EnsureAllRead()
    {
        foreach (string name in _values.Keys.Where(n => !_read.Contains(n)))
        {
            throw new ArgumentException($"Unknown option '{name}'.");
        }
    }
}
