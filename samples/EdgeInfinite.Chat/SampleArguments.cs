namespace EdgeInfinite.Samples.Chat;

/// <summary>The command line: <c>[--package PATH] [--max-tokens N] [--route auto|short|long] [--temperature T]</c>.</summary>
internal sealed record SampleArguments(string? PackagePath, int MaxTokens, string Route, float Temperature)
{
    public static SampleArguments Parse(string[] args)
    {
        string? package = null;
        int maxTokens = 256;
        string route = "auto";
        float temperature = 0.7f;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--package":
                    package = Value();
                    break;
                case "--max-tokens":
                    maxTokens = int.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"--max-tokens: '{args[i]}' is not a positive integer.");
                    break;
                case "--route":
                    route = Value();
                    break;
                case "--temperature":
                    temperature = float.TryParse(Value(), System.Globalization.CultureInfo.InvariantCulture, out float t) && float.IsFinite(t) && t >= 0 ? t : throw new ArgumentException($"--temperature: '{args[i]}' is not a finite number ≥ 0.");
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--package PATH] [--max-tokens N] [--route auto|short|long] [--temperature T]");
            }
        }

        return new SampleArguments(package, maxTokens, route, temperature);
    }
}
