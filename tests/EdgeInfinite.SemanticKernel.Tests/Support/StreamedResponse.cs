using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>A streamed response collected: its updates, the text and the engine details of the final update.</summary>
public sealed class StreamedResponse
{
    private StreamedResponse(List<ChatResponseUpdate> updates)
    {
        Updates = updates;
        Text = string.Concat(updates.Select(u => u.Text));
        Final = updates[^1];
        Details = (EdgeInfiniteResponseDetails)Final.RawRepresentation!;
    }

    public List<ChatResponseUpdate> Updates { get; }

    public string Text { get; }

    public ChatResponseUpdate Final { get; }

    public EdgeInfiniteResponseDetails Details { get; }

    public int[] TokenIds => [.. Details.OutputTokenIds];

    public long Metadata(string key) => Convert.ToInt64(Final.AdditionalProperties![key], System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<StreamedResponse> CollectAsync(IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            updates.Add(update);
        }

        return new StreamedResponse(updates);
    }
}
