using System.Globalization;
using System.Text;
using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// <c>conversation --package P [--turns 20] [--words 150]</c>: a multi-turn chat through <see cref="EdgeInfiniteChatClient"/>,
/// with conversation-state reuse and without it (cache size 0), printing each turn's time to first token and the
/// prompt tokens prefilled vs reused. With reuse, turn N prefills only its new tokens, so TTFT stays flat.
/// </summary>
internal static class ConversationBench
{
    public static int Run(IReadOnlyDictionary<string, string> a)
    {
        string package = a.TryGetValue("--package", out var p) ? p : throw new ArgumentException("--package is required");
        int turns = a.TryGetValue("--turns", out var t) ? Arguments.ParseInt("--turns", t) : 20;
        int words = a.TryGetValue("--words", out var w) ? Arguments.ParseInt("--words", w) : 150;
        var withReuse = Conversation(package, turns, words, cacheSize: 4);
        var withoutReuse = Conversation(package, turns, words, cacheSize: 0);
        var md = new StringBuilder();
        md.AppendLine("| turn | prompt tokens | TTFT ms (reuse) | prefilled (reuse) | reused | TTFT ms (no reuse) | prefilled (no reuse) |");
        md.AppendLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int i = 0; i < turns; i++)
        {
            var r = withReuse[i];
            var n = withoutReuse[i];
            md.AppendLine(CultureInfo.InvariantCulture, $"| {i + 1} | {r.Prompt:N0} | {r.TtftMs:0} | {r.Prefilled:N0} | {r.Reused:N0} | {n.TtftMs:0} | {n.Prefilled:N0} |");
        }

        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"turn {turns} ÷ turn 2 TTFT: {withReuse[^1].TtftMs / withReuse[1].TtftMs:0.00} with reuse, {withoutReuse[^1].TtftMs / withoutReuse[1].TtftMs:0.00} without.");
        Console.WriteLine(md.ToString());
        if (a.TryGetValue("--out", out var file))
        {
            File.WriteAllText(file, md.ToString());
        }

        return 0;
    }

    private static List<(int Prompt, double TtftMs, long Prefilled, long Reused)> Conversation(string package, int turns, int words, int cacheSize)
    {
        using var client = new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = package, ConversationCacheSize = cacheSize });
        var random = new Random(17);
        var history = new List<ChatMessage>();
        var rows = new List<(int, double, long, long)>();
        var options = new ChatOptions { Temperature = 0, MaxOutputTokens = 12 };
        for (int turn = 0; turn < turns; turn++)
        {
            history.Add(new ChatMessage(ChatRole.User, string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]))));
            var response = client.GetResponseAsync(history, options).GetAwaiter().GetResult();
            history.AddRange(response.Messages);
            var values = response.AdditionalProperties!;
            rows.Add((Convert.ToInt32(values[EdgeInfiniteMetadataKeys.PromptTokensPrefilled], CultureInfo.InvariantCulture) + Convert.ToInt32(values[EdgeInfiniteMetadataKeys.PromptTokensReused], CultureInfo.InvariantCulture),
                Convert.ToDouble(values[EdgeInfiniteMetadataKeys.TimeToFirstTokenMs], CultureInfo.InvariantCulture),
                Convert.ToInt64(values[EdgeInfiniteMetadataKeys.PromptTokensPrefilled], CultureInfo.InvariantCulture),
                Convert.ToInt64(values[EdgeInfiniteMetadataKeys.PromptTokensReused], CultureInfo.InvariantCulture)));
        }

        return rows;
    }

    private static readonly string[] Words = ["the", "river", "city", "green", "seven", "table", "quiet", "north", "paper", "light", "stone", "music", "after", "bread", "cloud", "winter"];
}
