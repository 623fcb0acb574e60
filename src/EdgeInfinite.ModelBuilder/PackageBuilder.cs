using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Graphs;
using EdgeInfinite.Onnx.Packaging;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeInfinite.ModelBuilder;

/// <summary>
/// Converts a Hugging Face checkpoint folder into an EdgeInfinite model package (DESIGN §2). The package is written
/// into a temporary sibling folder and moved into place only when complete, so a failure leaves nothing behind.
/// </summary>
public sealed partial class PackageBuilder
{
    private static readonly string[] s_tokenizerFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "generation_config.json"];

    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="PackageBuilder"/> class.</summary>
    /// <param name="logger">The logger (warnings such as a missing tokenizer).</param>
    public PackageBuilder(ILogger<PackageBuilder>? logger = null) => _logger = logger ?? NullLogger<PackageBuilder>.Instance;

    /// <summary>Converts a checkpoint.</summary>
    /// <param name="checkpointDirectory">The Hugging Face checkpoint folder.</param>
    /// <param name="outputDirectory">The package folder to create.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="cancellationToken">Cancels the conversion (nothing is left behind).</param>
    /// <returns>The written package config.</returns>
    public PackageConfig Convert(string checkpointDirectory, string outputDirectory, ConversionOptions? options = null, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new ConversionOptions();
        string target = Path.GetFullPath(outputDirectory);
        OutputFolderPolicy.CheckReplaceable(target, Path.GetFullPath(checkpointDirectory), options.Overwrite);

        progress?.Report(new ConversionProgress("reading checkpoint", 0));
        var checkpoint = HfCheckpoint.Open(checkpointDirectory);
        var arch = checkpoint.Config.Architecture;
        if (arch.HeadDim % 16 != 0)
        {
            throw new InvalidDataException($"'{checkpointDirectory}': head_dim {arch.HeadDim} is not a multiple of 16, which ONNX Runtime's GroupQueryAttention needs with rotary embeddings.");
        }

        var config = BuildConfig(checkpoint, options, checkpointDirectory);
        config.Validate(Path.Combine(target, PackageConfig.FileName));

        string parent = Path.GetDirectoryName(target) ?? ".";
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            var weights = TransformerWeightsReader.Read(checkpoint, new InlineProgress<double>(f => progress?.Report(new ConversionProgress("reading weights", 0.4 * f))), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            WriteGraphs(weights, config, options.Layout ?? GraphLayoutOptions.Default, staging, progress, cancellationToken);
            WriteGenAiConfig(config, staging);
            cancellationToken.ThrowIfCancellationRequested();
            CopyTokenizer(checkpoint, staging);
            File.WriteAllText(Path.Combine(staging, PackageConfig.FileName), config.ToJson());
            cancellationToken.ThrowIfCancellationRequested();
            Publish(staging, target);
            progress?.Report(new ConversionProgress("done", 1));
            return config;
        }
        catch
        {
            // Every failure, cancellation (Ctrl+C, SIGTERM) included, removes the staging folder: a real model's is gigabytes.
            TryDelete(staging);
            throw;
        }
    }

    private PackageConfig BuildConfig(HfCheckpoint checkpoint, ConversionOptions options, string source)
    {
        var hf = checkpoint.Config;
        var eos = new List<int>(hf.EosTokenIds);
        foreach (int id in TokenizerEosIds(checkpoint).Concat(GenerationConfigEosIds(checkpoint)))
        {
            if (!eos.Contains(id))
            {
                eos.Add(id);
            }
        }

        int maxPositions = options.MaxPositions ?? hf.Architecture.MaxPositionEmbeddings;
        if (options.MaxPositions is null && maxPositions > PackageLimits.MaxPositions)
        {
            // Checked before any weight is read or rotary cache built: 10^8 positions would take minutes and gigabytes.
            throw new InvalidDataException($"'{Path.Combine(checkpoint.Directory, "config.json")}': max_position_embeddings {maxPositions} is larger than {PackageLimits.MaxPositions}, the most a package's rotary caches cover; convert with a smaller maxPositions (the long route needs only sink + window + segment).");
        }

        var longRoute = options.LongRoute;
        if (options.MaxPositions is null && longRoute.RouteThreshold > maxPositions)
        {
            longRoute = longRoute with { RouteThreshold = maxPositions };
        }

        if (!checkpoint.HasTokenizer)
        {
            LogNoTokenizer(_logger, source);
        }

        return new PackageConfig
        {
            Name = options.Name ?? Path.GetFileName(Path.GetFullPath(source).TrimEnd(Path.DirectorySeparatorChar)),
            Revision = Guid.NewGuid().ToString("N"),
            Architecture = hf.Architecture,
            LongRoute = longRoute,
            MaxPositions = maxPositions,
            Tokens = new TokenSettings
            {
                BosTokenId = hf.BosTokenIds.Count > 0 ? hf.BosTokenIds[0] : null,
                EosTokenIds = eos,
                PadTokenId = hf.PadTokenIds.Count > 0 ? hf.PadTokenIds[0] : (eos.Count > 0 ? eos[0] : null),
            },
            Files = new PackageFiles { Tokenizer = checkpoint.HasTokenizer ? "tokenizer.json" : null },
        };
    }

    private static void WriteGraphs(TransformerWeights weights, PackageConfig config, GraphLayoutOptions layout, string staging, IProgress<ConversionProgress>? progress, CancellationToken ct)
    {
        using var data = new ExternalDataWriter(Path.Combine(staging, config.Files.Weights), config.Files.Weights);
        var store = new WeightStore(data);
        var writer = new TransformerGraphWriter(weights, store, (float)config.LongRoute.Epsilon, config.MaxPositions, layout, config.LongRoute);
        var chunk = writer.Build(GraphKind.Chunk, new InlineProgress<double>(f => progress?.Report(new ConversionProgress("writing chunk graph", 0.4 + 0.4 * f))), ct);
        foreach (var (key, value) in ChunkGraphConstants.For(config))
        {
            chunk.MetadataProps.Add(new global::Onnx.StringStringEntryProto { Key = key, Value = value });
        }

        ct.ThrowIfCancellationRequested();
        var decoder = writer.Build(GraphKind.GenAiDecoder, new InlineProgress<double>(f => progress?.Report(new ConversionProgress("writing decoder graph", 0.8 + 0.15 * f))), ct);
        File.WriteAllBytes(Path.Combine(staging, config.Files.ChunkGraph), chunk.ToByteArray());
        File.WriteAllBytes(Path.Combine(staging, config.Files.DecoderGraph), decoder.ToByteArray());
    }

    private static void WriteGenAiConfig(PackageConfig config, string staging)
    {
        var a = config.Architecture;
        var eos = new JsonArray(config.Tokens.EosTokenIds.Select(i => (JsonNode)JsonValue.Create(i)).ToArray());
        var root = new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["type"] = a.Family.ToString().ToLowerInvariant(),
                ["vocab_size"] = a.VocabSize,
                ["context_length"] = config.MaxPositions,
                ["bos_token_id"] = config.Tokens.BosTokenId ?? 0,
                ["eos_token_id"] = eos,
                ["pad_token_id"] = config.Tokens.PadTokenId ?? 0,
                ["decoder"] = new JsonObject
                {
                    ["session_options"] = new JsonObject { ["log_id"] = "onnxruntime-genai", ["provider_options"] = new JsonArray() },
                    ["filename"] = config.Files.DecoderGraph,
                    ["head_size"] = a.HeadDim,
                    ["hidden_size"] = a.HiddenSize,
                    ["num_attention_heads"] = a.NumHeads,
                    ["num_hidden_layers"] = a.NumLayers,
                    ["num_key_value_heads"] = a.NumKvHeads,
                    ["inputs"] = new JsonObject
                    {
                        ["input_ids"] = "input_ids",
                        ["attention_mask"] = "attention_mask",
                        ["past_key_names"] = "past_key_values.%d.key",
                        ["past_value_names"] = "past_key_values.%d.value",
                    },
                    ["outputs"] = new JsonObject
                    {
                        ["logits"] = "logits",
                        ["present_key_names"] = "present.%d.key",
                        ["present_value_names"] = "present.%d.value",
                    },
                },
            },
            ["search"] = new JsonObject
            {
                ["max_length"] = config.MaxPositions,
                ["past_present_share_buffer"] = true,
                ["do_sample"] = false,
                ["num_beams"] = 1,
                ["top_k"] = 1,
                ["temperature"] = 1.0,
                ["repetition_penalty"] = 1.0,
            },
        };
        File.WriteAllText(Path.Combine(staging, config.Files.GenAiConfig), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void CopyTokenizer(HfCheckpoint checkpoint, string staging)
    {
        foreach (string file in s_tokenizerFiles)
        {
            // Resolved inside the checkpoint (a Hugging Face cache's links into its blobs are fine; a link to
            // anything else is refused) and checked to be what its name says before it enters the package.
            if (checkpoint.FindFile(file) is { } source)
            {
                var bytes = UntrustedFile.ReadAllBytes(source, HfCheckpoint.MaxTokenizerBytes, file);
                if (file.EndsWith(".json", StringComparison.Ordinal))
                {
                    var json = ParseJson(bytes, source);
                    if (file == "tokenizer.json")
                    {
                        TokenizerJson.Check(json, source);
                    }
                }

                File.WriteAllBytes(Path.Combine(staging, file), bytes);
            }
        }
    }

    private static IEnumerable<int> TokenizerEosIds(HfCheckpoint checkpoint)
    {
        if (checkpoint.FindFile("tokenizer_config.json") is not { } configPath || checkpoint.FindFile("tokenizer.json") is not { } tokenizerPath)
        {
            return [];
        }

        var eosToken = ReadJson(configPath, HfCheckpoint.MaxConfigBytes)?["eos_token"];
        string? content = eosToken switch
        {
            JsonObject o when o["content"] is JsonValue v && v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => null,
        };
        if (content is null)
        {
            return [];
        }

        var tokenizer = ReadJson(tokenizerPath, HfCheckpoint.MaxTokenizerBytes);
        TokenizerJson.Check(tokenizer, tokenizerPath);
        return TokenizerJson.AddedTokenIds(tokenizer, content).Take(1).ToList();
    }

    private static IEnumerable<int> GenerationConfigEosIds(HfCheckpoint checkpoint)
    {
        if (checkpoint.FindFile("generation_config.json") is not { } path)
        {
            return [];
        }

        var eos = ReadJson(path, HfCheckpoint.MaxConfigBytes)?["eos_token_id"];
        var items = eos switch
        {
            null => [],
            JsonArray arr => arr.ToList(),
            _ => [eos],
        };
        return items.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int id) && id >= 0
            ? id
            : throw new InvalidDataException($"'{path}': eos_token_id holds {n?.ToJsonString() ?? "null"}; expected non-negative integer token ids.")).ToList();
    }

    private static JsonNode? ReadJson(string path, long maxBytes) => ParseJson(UntrustedFile.ReadAllBytes(path, maxBytes, Path.GetFileName(path)), path);

    private static JsonNode? ParseJson(byte[] bytes, string path)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    private static void Publish(string staging, string target)
    {
        if (Directory.Exists(target))
        {
            // Move the old package aside first so that a failed swap can be undone.
            string backup = target + $".old-{Guid.NewGuid():N}";
            Directory.Move(target, backup);
            try
            {
                Directory.Move(staging, target);
            }
            catch
            {
                Directory.Move(backup, target);
                throw;
            }

            TryDelete(backup);
        }
        else
        {
            Directory.Move(staging, target);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover staging folder is hidden and never mistaken for a package.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checkpoint '{Source}' has no tokenizer.json: the package converts, but only token-id prompts will work.")]
    private static partial void LogNoTokenizer(ILogger logger, string source);
}
