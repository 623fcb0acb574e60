using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// Crafted snapshots with a valid (unkeyed) checksum are refused by validation: absurd or inconsistent counts, NaN or
/// infinity in the cache or the memory, trailing bytes, malformed strings; oversized input is refused from its length
/// or cut off at the package's bound, never read whole.
/// </summary>
public sealed class StateSnapshotHardeningTests : IDisposable
{
    private static readonly LongRouteSettings s_settings = new() { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-snaphard-" + Guid.NewGuid().ToString("N"));
    private readonly EdgeInfiniteModel _model;

    public StateSnapshotHardeningTests()
    {
        string package = Path.Combine(_root, "llama");
        new PackageBuilder().Convert(Path.Combine(HfFixture.Root, "hf", "llama"), package, new ConversionOptions { LongRoute = s_settings });
        _model = EdgeInfiniteModel.Load(package);
    }

    public void Dispose()
    {
        _model.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData(Field.TokenCount, long.MaxValue, "token count")]
    [InlineData(Field.TokenCount, -1L, "inconsistent")]
    [InlineData(Field.TokensInMemory, -16L, "inconsistent")]
    [InlineData(Field.TokensInMemory, 1L << 40, "inconsistent")]
    [InlineData(Field.CachedTokens, -1L, "inconsistent")]
    [InlineData(Field.CacheCapacity, 1L << 30, "inconsistent")]
    [InlineData(Field.Route, 7L, "route")]
    public void LoadState_CraftedCounter_Refused(Field field, long value, string culprit)
    {
        var bytes = Patch(LongSnapshot(), field, value);

        var ex = Assert.Throws<InvalidDataException>(() => _model.LoadState(new MemoryStream(bytes)));

        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(float.NaN, 0, "key cache")]
    [InlineData(float.PositiveInfinity, 0, "key cache")]
    [InlineData(float.NaN, -1, "memory z")]
    [InlineData(float.NegativeInfinity, int.MinValue, "memory M")]
    [InlineData(-1f, -1, "memory z")]
    public void LoadState_NonFiniteValue_RefusedNamingTheTensor(float value, int floatIndex, string culprit)
    {
        var bytes = LongSnapshot();
        int dataStart = Offsets(bytes).Data;
        int bodyEnd = bytes.Length - 32;
        var a = _model.Config.Architecture;
        if (floatIndex == int.MinValue)
        {
            // The last element of the last layer's M, just before that layer's z.
            floatIndex = -(a.NumKvHeads * a.HeadDim) - 1;
        }

        int at = floatIndex >= 0 ? dataStart + (floatIndex * 4) : bodyEnd + (floatIndex * 4);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(at), value);

        var ex = Assert.Throws<InvalidDataException>(() => _model.LoadState(new MemoryStream(Rehash(bytes))));

        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadState_TrailingBytes_Refused()
    {
        var bytes = LongSnapshot();
        var longer = bytes[..^32].Concat(new byte[8]).Concat(new byte[32]).ToArray();

        var ex = Assert.Throws<InvalidDataException>(() => _model.LoadState(new MemoryStream(Rehash(longer))));

        Assert.Contains("unexpected bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadState_MalformedStringLength_RefusedNamingTheField()
    {
        var bytes = LongSnapshot();
        bytes.AsSpan(12, 5).Fill(0xFF);

        var ex = Assert.Throws<InvalidDataException>(() => _model.LoadState(new MemoryStream(Rehash(bytes))));

        Assert.Contains("package revision", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadState_OneGigabyteJunkFile_RefusedFromItsLengthWithoutReading()
    {
        string junk = Path.Combine(_root, "junk.state");
        using (var f = File.Create(junk))
        {
            f.SetLength(1L << 30);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var stream = File.OpenRead(junk);
        var ex = Assert.Throws<InvalidDataException>(() => _model.LoadState(stream));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("largest state of this package", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, stream.Position);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void LoadState_EndlessUnseekableStream_StopsAtThePackagesBound()
    {
        var endless = new EndlessStream();

        var ex = Assert.Throws<InvalidDataException>(() => _model.LoadState(endless));

        Assert.Contains("longer than", ex.Message, StringComparison.Ordinal);
        Assert.True(endless.Served <= StateSnapshot.MaxBytes(_model.Config) + (1 << 16), $"read {endless.Served} bytes");
    }

    [Fact]
    public void LoadState_ValidSnapshot_StillRestores()
    {
        var bytes = LongSnapshot();

        using var state = _model.LoadState(new MemoryStream(bytes));

        Assert.True(state.TokensInMemory > 0);
        Assert.True(state.IsFinite());
    }

    private byte[] LongSnapshot()
    {
        using var state = _model.CreateState(Route.Long, 0);
        state.Append(HfFixture.Load("llama").LongPromptIds.AsSpan(0, 100));
        Assert.True(state.TokensInMemory > 0);
        using var stream = new MemoryStream();
        state.Save(stream);
        return stream.ToArray();
    }

    public enum Field
    {
        Route,
        TokenCount,
        TokensInMemory,
        CacheCapacity,
        CachedTokens,
    }

    private static byte[] Patch(byte[] bytes, Field field, long value)
    {
        var o = Offsets(bytes);
        var span = bytes.AsSpan();
        switch (field)
        {
            case Field.Route: span[o.Route] = (byte)value; break;
            case Field.TokenCount: BinaryPrimitives.WriteInt64LittleEndian(span[(o.Route + 3)..], value); break;
            case Field.TokensInMemory: BinaryPrimitives.WriteInt64LittleEndian(span[(o.Route + 11)..], value); break;
            case Field.CacheCapacity: BinaryPrimitives.WriteInt32LittleEndian(span[(o.Route + 31)..], (int)value); break;
            case Field.CachedTokens: BinaryPrimitives.WriteInt32LittleEndian(span[(o.Route + 35)..], (int)value); break;
        }

        return Rehash(bytes);
    }

    /// <summary>The offset of the route byte (after magic, version and the two strings) and of the first float.</summary>
    private static (int Route, int Data) Offsets(byte[] bytes)
    {
        using var r = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
        r.ReadBytes(12);
        r.ReadString();
        r.ReadString();
        int route = (int)r.BaseStream.Position;
        return (route, route + 3 + 16 + 20 + 1);
    }

    private static byte[] Rehash(byte[] bytes)
    {
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        return bytes;
    }

    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill(0x5A);
            Served += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
