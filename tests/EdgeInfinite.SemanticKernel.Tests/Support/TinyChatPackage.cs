using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>
/// A small random-weight Llama (vocab 1024, hidden 64, 2 layers, 4 heads, 2 KV heads, head_dim 16) written as a
/// Hugging Face checkpoint with the fixture tokenizer (ChatML template), converted once per test run with the
/// project's PackageBuilder. Long route: S=4, W=64, L=16, threshold 512, so long-route and chunked-prefill paths are
/// reachable with short prompts. Its text is gibberish: tests assert properties, not content.
/// </summary>
public sealed class TinyChatPackage : IDisposable
{
    public const int Vocab = 1024;

    /// <summary>When set, the converted package is also copied to this folder (if it does not exist).</summary>
    public const string CopyVariable = "EDGEINFINITE_TEST_PACKAGE_COPY";
    private const int Hidden = 64;
    private const int Inter = 128;
    private const int Layers = 2;
    private const int Heads = 4;
    private const int KvHeads = 2;
    private const int HeadDim = 16;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-sk-tests-" + Guid.NewGuid().ToString("N"));
    private readonly Lazy<EdgeInfiniteModel> _model;

    public TinyChatPackage()
    {
        string checkpoint = Path.Combine(_root, "checkpoint");
        Directory.CreateDirectory(checkpoint);
        WriteCheckpoint(checkpoint);
        string tokenizer = Path.Combine(AppContext.BaseDirectory, "fixtures", "tokenizer");
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(tokenizer, file), Path.Combine(checkpoint, file));
        }

        PackagePath = Path.Combine(_root, "tiny-chat");
        new PackageBuilder().Convert(checkpoint, PackagePath, new ConversionOptions
        {
            Name = "tiny-chat",
            LongRoute = new LongRouteSettings { SinkTokens = 4, WindowTokens = 64, SegmentTokens = 16, RouteThreshold = 512 },
        });
        if (Environment.GetEnvironmentVariable(CopyVariable) is { Length: > 0 } copy && !Directory.Exists(copy))
        {
            // For trying the samples by hand: EDGEINFINITE_TEST_PACKAGE_COPY=/tmp/tiny-chat dotnet test ...
            Directory.CreateDirectory(copy);
            foreach (string f in Directory.GetFiles(PackagePath))
            {
                File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
            }
        }

        _model = new Lazy<EdgeInfiniteModel>(() => EdgeInfiniteModel.Load(PackagePath, new EdgeInfiniteModelOptions { IntraOpThreads = 1 }), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the package folder.</summary>
    public string PackagePath { get; }

    /// <summary>Gets one shared loaded model (clients built on it do not own it).</summary>
    public EdgeInfiniteModel Model => _model.Value;

    /// <summary>Creates a client over the shared model.</summary>
    /// <param name="cacheSize">The conversation cache size.</param>
    /// <param name="loggerFactory">The logger factory.</param>
    /// <returns>The client.</returns>
    public EdgeInfiniteChatClient CreateClient(int cacheSize = 4, Microsoft.Extensions.Logging.ILoggerFactory? loggerFactory = null) =>
        new(Model, new EdgeInfiniteChatOptions { ConversationCacheSize = cacheSize }, loggerFactory);

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.Dispose();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static void WriteCheckpoint(string directory)
    {
        var random = new Random(1234);
        float[] Normal(int count, double std)
        {
            var values = new float[count];
            for (int i = 0; i < count; i++)
            {
                double u1 = 1.0 - random.NextDouble();
                double u2 = random.NextDouble();
                values[i] = (float)(std * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            }

            return values;
        }

        float[] Ones(int count) => Enumerable.Repeat(1f, count).ToArray();
        var tensors = new List<TestTensor> { new("model.embed_tokens.weight", [Vocab, Hidden], Normal(Vocab * Hidden, 0.5)) };
        for (int i = 0; i < Layers; i++)
        {
            string p = $"model.layers.{i}.";
            tensors.Add(new(p + "input_layernorm.weight", [Hidden], Ones(Hidden)));
            tensors.Add(new(p + "self_attn.q_proj.weight", [Heads * HeadDim, Hidden], Normal(Heads * HeadDim * Hidden, 0.08)));
            tensors.Add(new(p + "self_attn.k_proj.weight", [KvHeads * HeadDim, Hidden], Normal(KvHeads * HeadDim * Hidden, 0.08)));
            tensors.Add(new(p + "self_attn.v_proj.weight", [KvHeads * HeadDim, Hidden], Normal(KvHeads * HeadDim * Hidden, 0.08)));
            tensors.Add(new(p + "self_attn.o_proj.weight", [Hidden, Heads * HeadDim], Normal(Hidden * Heads * HeadDim, 0.08)));
            tensors.Add(new(p + "post_attention_layernorm.weight", [Hidden], Ones(Hidden)));
            tensors.Add(new(p + "mlp.gate_proj.weight", [Inter, Hidden], Normal(Inter * Hidden, 0.08)));
            tensors.Add(new(p + "mlp.up_proj.weight", [Inter, Hidden], Normal(Inter * Hidden, 0.08)));
            tensors.Add(new(p + "mlp.down_proj.weight", [Hidden, Inter], Normal(Hidden * Inter, 0.08)));
        }

        tensors.Add(new("model.norm.weight", [Hidden], Ones(Hidden)));
        tensors.Add(new("lm_head.weight", [Vocab, Hidden], Normal(Vocab * Hidden, 0.3)));
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray("LlamaForCausalLM"),
            ["model_type"] = "llama",
            ["hidden_act"] = "silu",
            ["hidden_size"] = Hidden,
            ["intermediate_size"] = Inter,
            ["num_hidden_layers"] = Layers,
            ["num_attention_heads"] = Heads,
            ["num_key_value_heads"] = KvHeads,
            ["head_dim"] = HeadDim,
            ["max_position_embeddings"] = 4096,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["rope_scaling"] = null,
            ["tie_word_embeddings"] = false,
            ["attention_bias"] = false,
            ["mlp_bias"] = false,
            ["torch_dtype"] = "float32",
            ["vocab_size"] = Vocab,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
        EdgeInfinite.ModelBuilder.Checkpoints.SafeTensorsWriter.Write(Path.Combine(directory, "model.safetensors"), tensors.Select(t => (t.Name, t.Shape, t.Data)));
    }
}
