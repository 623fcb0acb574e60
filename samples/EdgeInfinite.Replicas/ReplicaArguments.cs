using System.Globalization;

namespace EdgeInfinite.Samples.Replicas;

/// <summary>The command line: <c>demo|replica --redis HOST:PORT [--package PATH] [--max-tokens N] [--name NAME]</c>.</summary>
internal sealed record ReplicaArguments(string Mode, string Redis, string? PackagePath, int MaxTokens, string Name)
{
    public const string Usage = "Usage: demo|replica --redis HOST:PORT [--package PATH] [--max-tokens N] [--name NAME]";

    public static ReplicaArguments Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("demo" or "replica"))
        {
            throw new ArgumentException(Usage);
        }

        string? redis = null;
        string? package = null;
        int maxTokens = 24;
        string name = "replica";
        for (int i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--redis": redis = Value(); break;
                case "--package": package = Value(); break;
                case "--max-tokens": maxTokens = int.TryParse(Value(), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"--max-tokens: '{args[i]}' is not a positive integer."); break;
                case "--name": name = Value(); break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'. {Usage}");
            }
        }

        return new ReplicaArguments(args[0], redis ?? throw new ArgumentException($"--redis is required. {Usage}"), package, maxTokens, name);
    }
}
