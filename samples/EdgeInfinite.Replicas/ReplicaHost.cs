using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.SemanticKernel;
using Microsoft.Extensions.AI;
using System.Text.Json;

namespace EdgeInfinite.Samples.Replicas;

/// <summary>
/// One replica: a chat client whose conversations live in Redis, serving requests read line by line from standard
/// input and answering on standard output. Any replica can continue any conversation.
/// </summary>
internal static class ReplicaHost
{
    public static async Task<int> RunAsync(ReplicaArguments args, IChatClient client)
    {
        Console.Out.WriteLine(ReplicaProtocol.Ready);
        Console.Out.Flush();
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var request = JsonSerializer.Deserialize<ReplicaRequest>(line, ReplicaProtocol.Json) ?? throw new InvalidDataException("Empty request line.");
            var options = new ChatOptions { Temperature = 0, MaxOutputTokens = request.MaxTokens ?? args.MaxTokens, ConversationId = request.ConversationId };
            options.AdditionalProperties = new()
            {
                // Tell the caller the moment the engine starts working on the request.
                [EdgeInfiniteMetadataKeys.PrefillProgress] = new LineProgress(),
            };
            if (request.Route is { } route)
            {
                options.AdditionalProperties[EdgeInfiniteMetadataKeys.Route] = route;
            }

            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, request.Message)], options).ConfigureAwait(false);
            var details = (EdgeInfiniteResponseDetails)response.RawRepresentation!;
            var reply = new ReplicaResponse(
                args.Name,
                response.ConversationId!,
                response.Text,
                [.. details.OutputTokenIds],
                [.. details.PromptTokenIds],
                details.ReusedPromptTokens,
                Convert.ToInt64(response.AdditionalProperties![EdgeInfiniteMetadataKeys.PromptTokensPrefilled], System.Globalization.CultureInfo.InvariantCulture),
                (string)response.AdditionalProperties[EdgeInfiniteMetadataKeys.Route]!);
            Console.Out.WriteLine(JsonSerializer.Serialize(reply, ReplicaProtocol.Json));
            Console.Out.Flush();
        }

        return 0;
    }

    private sealed class LineProgress : IProgress<PrefillProgress>
    {
        private int _reported;

        public void Report(PrefillProgress value)
        {
            if (Interlocked.Exchange(ref _reported, 1) == 0)
            {
                Console.Out.WriteLine(ReplicaProtocol.Prefilling);
                Console.Out.Flush();
            }
        }
    }
}
