using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Reference;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>Every non-default graph layout (kept for benchmarks) computes the same model as transformers.</summary>
public sealed class GraphLayoutTests : IDisposable
{
    private static readonly Dictionary<string, GraphLayoutOptions> s_layouts = new()
    {
        ["plain-norms"] = new GraphLayoutOptions { FusedNorms = false },
        ["separate-projections"] = new GraphLayoutOptions { PackedProjections = false },
        ["unfused-attention"] = new GraphLayoutOptions { Attention = AttentionLayout.Unfused },
        ["all-unfused"] = new GraphLayoutOptions { FusedNorms = false, PackedProjections = false, Attention = AttentionLayout.Unfused },
    };

    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-layouts-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (string arch in new[] { "llama", "qwen2" })
            {
                foreach (string layout in s_layouts.Keys)
                {
                    data.Add(arch, layout);
                }
            }

            return data;
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ShortRoute_Layout_MatchesTransformersPromptLogitsLongPromptAndGreedyIds(string arch, string layout)
    {
        var fixture = HfFixture.Load(arch);
        using var model = EdgeInfiniteModel.Load(Convert(arch, layout, new LongRouteSettings()));

        using (var state = model.CreateState(Route.Short, fixture.PromptIds.Length))
        {
            double diff = HfFixture.MaxAbsDiff(state.AppendAllLogits(fixture.PromptIds), fixture.PromptLogits);
            Assert.True(diff <= 1e-4, $"prompt logits: max abs diff {diff}");
        }

        using (var state = model.CreateState(Route.Short, fixture.LongPromptIds.Length))
        {
            var logits = state.AppendAllLogits(fixture.LongPromptIds);
            double diff = HfFixture.MaxAbsDiff(logits.AsSpan(logits.Length - (4 * model.Config.Architecture.VocabSize)), fixture.LongLast4Logits);
            Assert.True(diff <= 1e-3, $"1500-token prompt, last four: max abs diff {diff}");
        }

        var options = new GenerationOptions { Greedy = true, MaxNewTokens = 24, StopTokenIds = [] };
        var ids = new TextGenerator(model).Generate(fixture.PromptIds, options).Where(u => u.TokenId is not null).Select(u => u.TokenId!.Value);
        Assert.Equal(fixture.GreedyNewIds, ids);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GenAiDecoder_Layout_GreedyIdsEqualTransformers(string arch, string layout)
    {
        var fixture = HfFixture.Load(arch);
        int newTokens = fixture.GreedyNewIds.Length;
        var (generated, _, _) = GenAiGreedy.Run(Convert(arch, layout, new LongRouteSettings()), fixture.PromptIds, newTokens);

        Assert.Equal(fixture.GreedyNewIds, generated);
    }

    [Theory]
    [InlineData("unfused-attention")]
    [InlineData("all-unfused")]
    public void LongRoute_Layout_RandomGates_MatchesFloat64ReferenceWithin1e4Relative(string layout)
    {
        var settings = new LongRouteSettings { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };
        string source = Path.Combine(HfFixture.Root, "hf", "qwen2");
        string package = Convert("qwen2", layout, settings);
        var weights = TransformerWeightsReader.Read(HfCheckpoint.Open(source));
        var (gateW, gateB) = RandomMemoryGates.Create(weights.Architecture, seed: 99);
        string gated = package + "-gated";
        PackageGates.WriteCopy(package, gated, gateW, gateB);
        var ids = HfFixture.Load("qwen2").LongPromptIds;
        var prompt = ids.Take(8 * settings.SegmentTokens).ToArray();
        var decode = ids.Skip(prompt.Length).Take(40).ToArray();
        using var model = EdgeInfiniteModel.Load(gated);
        using var state = model.CreateState(Route.Long, 0);
        var reference = new ReferenceLongRoute(weights, settings, gateW, gateB);

        var engine = new List<float>(state.AppendAllLogits(prompt));
        foreach (int id in decode)
        {
            engine.AddRange(state.Append([id]));
        }

        var expected = reference.Process(prompt).Concat(decode.SelectMany(id => reference.Process([id]))).SelectMany(r => r).ToArray();
        Assert.Equal(expected.Length, engine.Count);
        double scale = expected.Max(Math.Abs);
        double maxDiff = expected.Select((e, i) => Math.Abs(e - engine[i])).Max();
        Assert.True(maxDiff / scale <= 1e-4, $"max relative error {maxDiff / scale:E2}");
        Assert.True(state.TokensInMemory > 0);
    }

    private string Convert(string arch, string layout, LongRouteSettings settings)
    {
        string target = Path.Combine(_root, $"{arch}-{layout}-{settings.SegmentTokens}");
        new PackageBuilder().Convert(Path.Combine(HfFixture.Root, "hf", arch), target, new ConversionOptions { Layout = s_layouts[layout], LongRoute = settings });
        return target;
    }
}
