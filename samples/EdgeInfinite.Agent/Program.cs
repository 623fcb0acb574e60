// A Semantic Kernel agent on the local EdgeInfinite model: a kernel with two plugins and FunctionChoiceBehavior.Auto(),
// so the model may call them (Hermes/Qwen-style <tool_call> output) and Semantic Kernel invokes them. The chat keeps
// its ChatHistory, and the connector reuses the conversation state, so each turn prefills only the new messages.
// Usage: [--package PATH]; interactive with a terminal, one user turn per line when stdin is redirected.
using EdgeInfinite.Samples.Agent;
using EdgeInfinite.SemanticKernel;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

string? packagePath = null;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--package" && i + 1 < args.Length)
    {
        packagePath = args[++i];
    }
    else
    {
        Console.Error.WriteLine($"error: unknown argument '{args[i]}'. Usage: [--package PATH]");
        return 1;
    }
}

var builder = Kernel.CreateBuilder();
builder.AddEdgeInfiniteChatCompletion(packagePath);
builder.Plugins.AddFromType<ClockPlugin>();
builder.Plugins.AddFromObject(new NotesPlugin());
var kernel = builder.Build();
IChatCompletionService chat;
try
{
    chat = kernel.GetRequiredService<IChatCompletionService>();
}
catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 1;
}

var settings = new EdgeInfinitePromptExecutionSettings
{
    MaxTokens = 256,
    Temperature = 0.3f,
    FunctionChoiceBehavior = FunctionChoiceBehavior.Auto(),
};
var history = new ChatHistory("You are a helpful assistant. Use the tools when they help: the clock for dates and times, the notes to remember things.");
bool interactive = !Console.IsInputRedirected;
if (interactive)
{
    Console.WriteLine("EdgeInfinite agent. Try: \"What time is it?\" or \"Note that the meeting is at 3pm.\" Empty line to quit.");
}

while (true)
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

    history.AddUserMessage(line);
    var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);
    history.Add(reply);
    Console.WriteLine(reply.Content);
    if (reply.Metadata is { } m)
    {
        Console.WriteLine($"[route {m[EdgeInfiniteMetadataKeys.Route]} | reused {m[EdgeInfiniteMetadataKeys.PromptTokensReused]} prompt tokens | TTFT {m[EdgeInfiniteMetadataKeys.TimeToFirstTokenMs]:F0} ms]");
    }
}

return 0;
