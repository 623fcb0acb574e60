// Two replicas, one Redis: a conversation moves between them turn by turn, and each turn prefills only its new
// tokens, because the state of the conversation (transcript, fed ids, KV window and compressed memory) lives in Redis.
//   demo:    starts two replica processes and alternates a conversation between them
//   replica: one replica serving JSON lines on standard input/output
using EdgeInfinite.Samples.Replicas;
using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

ReplicaArguments arguments;
try
{
    arguments = ReplicaArguments.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

if (arguments.Mode == "replica")
{
    // The ordinary ASP.NET Core-style wiring: a registered IDistributedCache becomes the conversation store.
    var services = new ServiceCollection();
    services.AddStackExchangeRedisCache(o => o.Configuration = arguments.Redis);
    services.AddEdgeInfiniteChatClient(arguments.PackagePath);
    await using var provider = services.BuildServiceProvider();
    return await ReplicaHost.RunAsync(arguments, provider.GetRequiredService<IChatClient>());
}

string[] turns = ["Hello! Who are you?", "Tell me about the sea.", "And the mountains?", "Which do you prefer?", "Thanks, goodbye."];
Console.WriteLine($"Starting two replicas against Redis at {arguments.Redis} ...");
using var a = await ReplicaProcess.StartAsync(arguments, "replica-a");
using var b = await ReplicaProcess.StartAsync(arguments, "replica-b");
string? conversationId = null;
for (int i = 0; i < turns.Length; i++)
{
    var replica = i % 2 == 0 ? a : b;
    var r = await replica.AskAsync(turns[i], conversationId);
    conversationId = r.ConversationId;
    Console.WriteLine($"[{r.Replica}] turn {i + 1}, conversation {r.ConversationId}: {r.PromptTokenIds.Length} prompt tokens, {r.Reused} restored from Redis/kept state, {r.Prefilled} prefilled ({r.Route} route)");
    Console.WriteLine($"  user:      {turns[i]}");
    Console.WriteLine($"  assistant: {r.Text.ReplaceLineEndings(" ")}");
}

return 0;
