using System.Globalization;

namespace EdgeInfinite.SideBySide;

/// <summary>A verb (optional) followed by <c>--name value</c> pairs.</summary>
internal sealed record Arguments(string Verb, IReadOnlyDictionary<string, string> Options)
{
    public static Arguments Parse(string[] args)
    {
        int i = 0;
        string verb = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[i++] : "compare";
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value' pairs, got '{args[i]}'");
            }

            options[args[i]] = args[++i];
        }

        return new Arguments(verb, options);
    }

    /// <summary>Parses an integer option's value, naming the option when it is not one (int.Parse's message names nothing).</summary>
    /// <param name="name">The option, for example <c>--decode</c>.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The integer.</returns>
    public static int ParseInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : throw new ArgumentException($"{name}: '{value}' is not an integer");

    /// <summary>Parses a finite number option's value, naming the option when it is not one.</summary>
    /// <param name="name">The option, for example <c>--cap-seconds</c>.</param>
    /// <param name="value">Its value.</param>
    /// <returns>The number.</returns>
    public static double ParseDouble(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) ? x : throw new ArgumentException($"{name}: '{value}' is not a finite number");

    /// <summary>Parses a token count such as <c>4096</c>, <c>4k</c> or <c>1m</c> (k = 1,024, m = 1,048,576), naming the option when it is not one.</summary>
    /// <param name="name">The option, for example <c>--lengths</c>.</param>
    /// <param name="text">Its value.</param>
    /// <returns>The count, positive and at most <see cref="int.MaxValue"/>.</returns>
    public static int ParseCount(string name, string text)
    {
        string s = text.Trim().ToLowerInvariant();
        long mult = s.EndsWith('k') ? 1024 : s.EndsWith('m') ? 1024 * 1024 : 1;
        return long.TryParse(mult == 1 ? s : s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n > 0 && n <= int.MaxValue / mult
            ? (int)(n * mult)
            : throw new ArgumentException($"{name}: '{text}' is not a token count (examples: 4096, 4k, 1m)");
    }
}
