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
}
