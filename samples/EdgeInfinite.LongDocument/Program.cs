// Question answering over a document far longer than the model's attention window: the request runs on the long
// route (sink + sliding window + compressed memory), so memory stays bounded however long the file is. Follow-up
// questions continue the same conversation, and the connector reuses its state: only the new question is prefilled.
// Usage: --file PATH | --demo WORDS   [--question Q]... [--package PATH] [--max-tokens N] [--memory on|off]
// Without --question, questions are read from stdin, one per line.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeInfinite.Samples.LongDocument;
using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;

string? file = null;
int demoWords = 0;
string? packagePath = null;
int maxTokens = 128;
string memory = "on";
var questions = new List<string>();
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
        switch (args[i])
        {
            case "--file": file = Value(); break;
            case "--demo": demoWords = PositiveInt("--demo", Value()); break;
            case "--question": questions.Add(Value()); break;
            case "--package": packagePath = Value(); break;
            case "--max-tokens": maxTokens = PositiveInt("--max-tokens", Value()); break;
            case "--memory": memory = Value(); break;
            default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
        }
    }

    if ((file is null) == (demoWords <= 0))
    {
        throw new ArgumentException("Give either --file PATH or --demo WORDS.");
    }
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("usage: --file PATH | --demo WORDS  [--question Q]... [--package PATH] [--max-tokens N] [--memory on|off]");
    return 1;
}

string document;
try
{
    document = file is not null ? File.ReadAllText(file) : Demo(demoWords);
    using var client = new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = packagePath });
    if (questions.Count == 0)
    {
        while (Console.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                questions.Add(line);
            }
        }
    }

    var history = new List<ChatMessage> { new(ChatRole.System, "Answer questions about the document the user gives you. Quote it when you can.") };
    var options = new ChatOptions
    {
        MaxOutputTokens = maxTokens,
        Temperature = 0,
        AdditionalProperties = new()
        {
            [EdgeInfiniteMetadataKeys.Memory] = memory,
            [EdgeInfiniteMetadataKeys.PrefillProgress] = new PrefillReporter(),
        },
    };
    Console.WriteLine($"Document: {document.Length:N0} characters; model '{client.ModelId}', route threshold {client.Model.RouteThreshold} tokens.");
    for (int q = 0; q < questions.Count; q++)
    {
        string content = q == 0 ? $"Document:\n\n{document}\n\nQuestion: {questions[q]}" : $"Question: {questions[q]}";
        history.Add(new ChatMessage(ChatRole.User, content));
        Console.Write($"\nQ: {questions[q]}\nA: ");
        var clock = Stopwatch.StartNew();
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(history, options))
        {
            if (updates.Count == 0 && !Console.IsErrorRedirected)
            {
                Console.Error.Write("\r\u001b[K");
            }

            Console.Write(update.Text);
            updates.Add(update);
        }

        var response = updates.ToChatResponse();
        history.AddMessages(response);
        var p = updates[^1].AdditionalProperties!;
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[route {p[EdgeInfiniteMetadataKeys.Route]} | prompt {response.Usage?.InputTokenCount} tokens, {p[EdgeInfiniteMetadataKeys.PromptTokensPrefilled]} prefilled, {p[EdgeInfiniteMetadataKeys.PromptTokensReused]} reused | " +
            $"{p[EdgeInfiniteMetadataKeys.TokensInMemory]} tokens in memory | state {Convert.ToDouble(p[EdgeInfiniteMetadataKeys.StateBytes], CultureInfo.InvariantCulture) / 1048576:F2} MiB | " +
            $"TTFT {Convert.ToDouble(p[EdgeInfiniteMetadataKeys.TimeToFirstTokenMs], CultureInfo.InvariantCulture):F0} ms | total {clock.Elapsed.TotalSeconds:F1} s]"));
    }
}
catch (Exception ex) when (ex is IOException or ArgumentException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

return 0;

// A synthetic document with one fact buried early, for a quick long-context check.
static string Demo(int words)
{
    var random = new Random(7);
    string[] vocabulary = ["the", "river", "stone", "market", "winter", "lamp", "harbour", "letter", "garden", "clock", "bridge", "song"];
    var sb = new StringBuilder();
    for (int i = 0; i < words; i++)
    {
        if (i == words / 10)
        {
            sb.Append("The secret code of the lighthouse is 4721. ");
        }

        sb.Append(vocabulary[random.Next(vocabulary.Length)]).Append(i % 12 == 11 ? ". " : " ");
    }

    return sb.ToString();
}

// int.Parse's own message ("The input string 'x' was not in a correct format") names no option.
static int PositiveInt(string option, string value) =>
    int.TryParse(value, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{option}: '{value}' is not a positive integer.");
