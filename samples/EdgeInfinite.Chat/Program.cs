// Console chat over the EdgeInfinite IChatClient: streams each answer, then prints a status line with the route, the
// tokens held in compressed memory, the state's size and the time to first token. With a terminal it is interactive
// (empty line or Ctrl+D ends); when stdin is redirected it reads one user turn per line and exits at end of input.
using EdgeInfinite.Samples.Chat;
using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;

SampleArguments arguments;
EdgeInfiniteChatClient client;
try
{
    arguments = SampleArguments.Parse(args);
    client = new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = arguments.PackagePath });
}
catch (Exception ex) when (ex is ArgumentException or IOException or InvalidDataException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

using (client)
{
    bool interactive = !Console.IsInputRedirected;
    using var cts = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cts.Cancel();
    };
    var history = new List<ChatMessage> { new(ChatRole.System, "You are a helpful assistant.") };
    var options = new ChatOptions
    {
        MaxOutputTokens = arguments.MaxTokens,
        Temperature = arguments.Temperature,
        AdditionalProperties = new() { [EdgeInfiniteMetadataKeys.Route] = arguments.Route },
    };
    if (interactive)
    {
        Console.WriteLine($"EdgeInfinite chat — model '{client.ModelId}'. Empty line or Ctrl+D to quit, Ctrl+C to stop an answer.");
    }

    while (!cts.IsCancellationRequested)
    {
        if (interactive)
        {
            Console.Write("> ");
        }

        string? line = Console.ReadLine();
        if (line is null || (interactive && line.Length == 0))
        {
            break;
        }

        if (!interactive)
        {
            Console.WriteLine($"> {line}");
        }

        history.Add(new ChatMessage(ChatRole.User, line));
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync(history, options, cts.Token))
            {
                Console.Write(update.Text);
                updates.Add(update);
            }
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine();
            Console.WriteLine("[stopped]");
            history.RemoveAt(history.Count - 1);
            break;
        }

        var response = updates.ToChatResponse();
        history.AddMessages(response);
        Console.WriteLine();
        Console.WriteLine(StatusLine.Format(updates[^1].AdditionalProperties, response.Usage));
    }
}

return 0;
