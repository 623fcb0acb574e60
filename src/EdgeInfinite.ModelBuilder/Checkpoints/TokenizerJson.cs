using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// Checks that a <c>tokenizer.json</c> is a Hugging Face tokenizer before it is copied into a package: a JSON object
/// with a <c>model</c> object, and <c>added_tokens</c> (when present) a list of objects with an integer <c>id</c> and a
/// string <c>content</c>. Anything else (a copied system file, a truncated download) is refused naming the field.
/// </summary>
internal static class TokenizerJson
{
    public static void Check(JsonNode? root, string path)
    {
        if (root is not JsonObject o)
        {
            throw new InvalidDataException($"'{path}' is not a tokenizer: its JSON is not an object.");
        }

        if (o["model"] is not JsonObject model || model.Count == 0)
        {
            throw new InvalidDataException($"'{path}' is not a tokenizer: it has no 'model' object.");
        }

        if (o["added_tokens"] is { } added)
        {
            if (added is not JsonArray list)
            {
                throw new InvalidDataException($"'{path}': added_tokens must be a list.");
            }

            for (int i = 0; i < list.Count; i++)
            {
                if (list[i] is not JsonObject token || !IsId(token["id"]) || token["content"] is not JsonValue content || content.GetValueKind() != JsonValueKind.String)
                {
                    throw new InvalidDataException($"'{path}': added_tokens[{i}] must be an object with an integer 'id' ≥ 0 and a string 'content'.");
                }
            }
        }
    }

    /// <summary>The ids of the added tokens whose content is <paramref name="content"/> (call <see cref="Check"/> first).</summary>
    public static IEnumerable<int> AddedTokenIds(JsonNode? root, string content) =>
        root?["added_tokens"] is JsonArray list
            ? list.OfType<JsonObject>().Where(t => t["content"]!.GetValue<string>() == content).Select(t => t["id"]!.GetValue<int>())
            : [];

    private static bool IsId(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int id) && id >= 0;
}
