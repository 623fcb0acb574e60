using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>
/// Writes and reads a <see cref="BpeModel"/> as Hugging Face tokenizer files: <c>tokenizer.json</c> (byte-level BPE,
/// the structure <c>tokenizers</c> writes and ONNX Runtime GenAI loads), <c>tokenizer_config.json</c> (ChatML chat
/// template, <c>eos_token</c> <c>&lt;|im_end|&gt;</c>, no BOS) and a minimal <c>genai_config.json</c> so the folder
/// loads on its own in ONNX Runtime GenAI's <c>Tokenizer</c> (a converted package gets the converter's own).
/// </summary>
public static class TokenizerFiles
{
    /// <summary>The tokenizer file name.</summary>
    public const string TokenizerJson = "tokenizer.json";

    /// <summary>The tokenizer config file name.</summary>
    public const string TokenizerConfigJson = "tokenizer_config.json";

    /// <summary>The ONNX Runtime GenAI config file name.</summary>
    public const string GenAiConfigJson = "genai_config.json";

    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the three files into a folder (created if needed; existing files are replaced).</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="model">The model.</param>
    /// <param name="contextLength">The context length stated in the configs.</param>
    public static void Write(string directory, BpeModel model, int contextLength = 32768)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 1);
        int eos = RequireToken(model, ChatMlTemplate.ImEnd);
        int pad = RequireToken(model, ChatMlTemplate.EndOfText);
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, TokenizerJson), TokenizerJsonNode(model).ToJsonString(s_indented));
        var config = new JsonObject
        {
            ["add_bos_token"] = false,
            ["add_eos_token"] = false,
            ["bos_token"] = null,
            ["eos_token"] = ChatMlTemplate.ImEnd,
            ["pad_token"] = ChatMlTemplate.EndOfText,
            ["unk_token"] = null,
            ["model_max_length"] = contextLength,
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["clean_up_tokenization_spaces"] = false,
            ["chat_template"] = ChatMlTemplate.Jinja,
        };
        WriteAtomically(Path.Combine(directory, TokenizerConfigJson), config.ToJsonString(s_indented));
        var genai = new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["type"] = "llama",
                ["vocab_size"] = model.VocabSize,
                ["context_length"] = contextLength,
                ["bos_token_id"] = pad,
                ["eos_token_id"] = new JsonArray(eos),
                ["pad_token_id"] = pad,
            },
            ["search"] = new JsonObject { ["max_length"] = contextLength },
        };
        WriteAtomically(Path.Combine(directory, GenAiConfigJson), genai.ToJsonString(s_indented));
    }

    /// <summary>Reads a byte-level BPE <c>tokenizer.json</c> (as written by <see cref="Write"/> or by Hugging Face tokenizers).</summary>
    /// <param name="path">The <c>tokenizer.json</c> file, or the folder holding it.</param>
    /// <returns>The model.</returns>
    /// <exception cref="InvalidDataException">The file is not a byte-level BPE tokenizer.json.</exception>
    public static BpeModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, TokenizerJson);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Tokenizer file '{path}' does not exist.", path);
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw Invalid(path, "the document is empty");
            var m = root["model"]?.AsObject() ?? throw Invalid(path, "there is no 'model'");
            if ((string?)m["type"] != "BPE")
            {
                throw Invalid(path, $"model.type is '{m["type"]}', not 'BPE'");
            }

            var vocab = m["vocab"]?.AsObject() ?? throw Invalid(path, "there is no 'model.vocab'");
            var tokens = new string[vocab.Count];
            foreach (var (token, id) in vocab)
            {
                int i = (int)id!;
                if ((uint)i >= (uint)tokens.Length || tokens[i] is not null)
                {
                    throw Invalid(path, $"model.vocab id {i} of '{token}' is out of range or repeated");
                }

                tokens[i] = token;
            }

            var merges = new List<(string, string)>();
            foreach (var merge in m["merges"]?.AsArray() ?? throw Invalid(path, "there is no 'model.merges'"))
            {
                if (merge is JsonArray pair && pair.Count == 2)
                {
                    merges.Add(((string)pair[0]!, (string)pair[1]!));
                }
                else
                {
                    string text = (string)merge!;
                    int space = text.IndexOf(' ', StringComparison.Ordinal);
                    merges.Add(space > 0 ? (text[..space], text[(space + 1)..]) : throw Invalid(path, $"merge '{text}' is not 'left right'"));
                }
            }

            var added = (root["added_tokens"]?.AsArray() ?? [])
                .Select(t => new AddedToken((int)t!["id"]!, (string)t["content"]!, (bool?)t["special"] ?? false))
                .ToArray();
            return new BpeModel(tokens, merges, added);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw Invalid(path, ex.Message, ex);
        }
    }

    private static InvalidDataException Invalid(string path, string reason, Exception? inner = null) =>
        new($"'{path}' is not a byte-level BPE tokenizer.json: {reason}", inner);

    private static JsonObject TokenizerJsonNode(BpeModel model)
    {
        var added = new JsonArray();
        foreach (var t in model.AddedTokens)
        {
            added.Add(new JsonObject
            {
                ["id"] = t.Id,
                ["content"] = t.Content,
                ["single_word"] = false,
                ["lstrip"] = false,
                ["rstrip"] = false,
                ["normalized"] = false,
                ["special"] = t.Special,
            });
        }

        var vocab = new JsonObject();
        for (int i = 0; i < model.Tokens.Count; i++)
        {
            vocab[model.Tokens[i]] = i;
        }

        var merges = new JsonArray();
        foreach (var (left, right) in model.Merges)
        {
            merges.Add(new JsonArray(left, right));
        }

        return new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = added,
            ["normalizer"] = null,
            ["pre_tokenizer"] = ByteLevel(addPrefixSpace: false, trimOffsets: true),
            ["post_processor"] = ByteLevel(addPrefixSpace: true, trimOffsets: false),
            ["decoder"] = ByteLevel(addPrefixSpace: true, trimOffsets: true),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = merges,
            },
        };
    }

    private static JsonObject ByteLevel(bool addPrefixSpace, bool trimOffsets) => new()
    {
        ["type"] = "ByteLevel",
        ["add_prefix_space"] = addPrefixSpace,
        ["trim_offsets"] = trimOffsets,
        ["use_regex"] = true,
    };

    private static int RequireToken(BpeModel model, string content) =>
        model.AddedTokens.FirstOrDefault(t => t.Content == content)?.Id
        ?? throw new ArgumentException($"The tokenizer has no added token '{content}', which the ChatML files need.", nameof(model));

    private static void WriteAtomically(string path, string text)
    {
        string temp = path + ".partial";
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
