using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Tests;

public sealed class StateSnapshotTests : IDisposable
{
    private static readonly LongRouteSettings s_settings = new() { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-snap-" + Guid.NewGuid().ToString("N"));
    private readonly string _package;
    private readonly string _gated;

    public StateSnapshotTests()
    {
        _package = Path.Combine(_root, "llama");
        new PackageBuilder().Convert(Path.Combine(HfFixture.Root, "hf", "llama"), _package, new ConversionOptions { LongRoute = s_settings });
        var random = new Random(9);
        _gated = Path.Combine(_root, "llama-gated");
        PackageGates.WriteCopy(_package, _gated,
            [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 64 * 4).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray())],
            [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 4).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray())]);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(Route.Long)]
    [InlineData(Route.Short)]
    public void SaveRestoreContinue_SameTokensAsNeverStopping(Route route)
    {
        var ids = HfFixture.Load("llama").LongPromptIds.Take(150).ToArray();
        using var model = EdgeInfiniteModel.Load(_gated);
        var options = new GenerationOptions { Greedy = true, MaxNewTokens = 40, StopTokenIds = [] };
        var generator = new TextGenerator(model);
        using var uninterrupted = model.CreateState(route, 400);
        uninterrupted.Append(ids.AsSpan(0, 100));
        var expected = Ids(generator.Generate(uninterrupted, ids[100..], options));

        using var first = model.CreateState(route, 400);
        first.Append(ids.AsSpan(0, 100));
        using var snapshot = new MemoryStream();
        first.Save(snapshot);
        snapshot.Position = 0;
        using var restored = model.LoadState(snapshot);
        Assert.Equal(first.TokensInMemory, restored.TokensInMemory);
        Assert.Equal(first.CachedTokens, restored.CachedTokens);
        var actual = Ids(generator.Generate(restored, ids[100..], options));

        Assert.Equal(expected, actual);
        Assert.Equal(route, restored.Route);
        Assert.Equal(uninterrupted.TokensInMemory, restored.TokensInMemory);
    }

    [Fact]
    public void ReadInfo_LongState_ReportsCountsAndSameSizeAtAnyLength()
    {
        var ids = HfFixture.Load("llama").LongPromptIds;
        using var model = EdgeInfiniteModel.Load(_gated);
        using var state = model.CreateState(Route.Long, 0);
        state.Append(ids.AsSpan(0, 700));
        var early = Snapshot(state);
        state.Append(ids.AsSpan(700));
        var late = Snapshot(state);

        var info = StateSnapshot.ReadInfo(new MemoryStream(late));

        Assert.Equal(ids.Length, info.TokenCount);
        Assert.Equal(state.TokensInMemory, info.TokensInMemory);
        Assert.Equal(Route.Long, info.Route);
        Assert.Equal(early.Length, late.Length);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(200)]
    [InlineData(-5)]
    public void LoadState_CorruptedByte_RejectedWithChecksumMessage(int offset)
    {
        using var model = EdgeInfiniteModel.Load(_gated);
        using var state = model.CreateState(Route.Long, 0);
        state.Append(HfFixture.Load("llama").LongPromptIds.AsSpan(0, 100));
        var bytes = Snapshot(state);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x40;

        var ex = Assert.Throws<InvalidDataException>(() => model.LoadState(new MemoryStream(bytes)));

        Assert.Contains("checksum", ex.Message);
    }

    [Fact]
    public void LoadState_Truncated_RejectedAsTruncatedOrCorrupt()
    {
        using var model = EdgeInfiniteModel.Load(_gated);
        using var state = model.CreateState(Route.Long, 0);
        state.Append([1, 2, 3]);
        var bytes = Snapshot(state);

        var tiny = Assert.Throws<InvalidDataException>(() => model.LoadState(new MemoryStream(bytes[..20])));
        var half = Assert.Throws<InvalidDataException>(() => model.LoadState(new MemoryStream(bytes[..(bytes.Length / 2)])));

        Assert.Contains("truncated", tiny.Message);
        Assert.Contains("checksum", half.Message);
    }

    [Fact]
    public void LoadState_OtherPackageRevision_RejectedNamingTheRevisions()
    {
        using var trained = EdgeInfiniteModel.Load(_gated);
        using var untrained = EdgeInfiniteModel.Load(_package);
        using var state = trained.CreateState(Route.Long, 0);
        state.Append([1, 2, 3]);

        var ex = Assert.Throws<InvalidDataException>(() => untrained.LoadState(new MemoryStream(Snapshot(state))));

        Assert.Contains(trained.Config.Revision, ex.Message);
        Assert.Contains(untrained.Config.Revision, ex.Message);
    }

    private static byte[] Snapshot(InferenceState state)
    {
        using var stream = new MemoryStream();
        state.Save(stream);
        return stream.ToArray();
    }

    private static int[] Ids(IEnumerable<GenerationUpdate> updates) =>
        updates.Where(u => u.TokenId is not null).Select(u => u.TokenId!.Value).ToArray();
}
