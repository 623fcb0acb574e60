using System.Buffers.Binary;
using System.Security.Cryptography;
using EdgeInfinite.Training.Checkpoints;
using EdgeInfinite.Training.Model;

namespace EdgeInfinite.Training.Tests;

/// <summary>
/// A training checkpoint's SHA-256 is unkeyed, so a crafted one passes it: every field is still read with a bound and
/// every failure names the file and the field (before: BinaryReader's "Too many bytes in what should have been a 7-bit
/// encoded integer", "Arithmetic operation resulted in an overflow" for a negative count, and a 16 GB allocation for a
/// count of 2^31 − 1 in a file of a few hundred bytes).
/// </summary>
public sealed class GateCheckpointHardeningTests : IDisposable
{
    private const int RevisionAt = 8 + 4;
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeinfinite-ckpt-").FullName;

    public static TheoryData<int> Seeds
    {
        get
        {
            var data = new TheoryData<int>();
            for (int i = 0; i < 30; i++)
            {
                data.Add(i);
            }

            return data;
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_MalformedRevisionLengthWithValidChecksum_ThrowsNamingFileAndField()
    {
        byte[] bytes = Valid();
        bytes.AsSpan(RevisionAt, 5).Fill(0xFF);

        var ex = Assert.Throws<InvalidDataException>(() => GateCheckpoint.Load(Write(Rehash(bytes))));

        Assert.Contains("packageRevision is malformed", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_dir, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    public void Load_HostileLossCountWithValidChecksum_ThrowsWithoutAllocating(int count)
    {
        byte[] bytes = Valid();
        int lossesAt = RevisionAt + 1 + "rev".Length + 8 + (6 * 4);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(lossesAt), count);
        long before = GC.GetAllocatedBytesForCurrentThread();

        var ex = Assert.Throws<InvalidDataException>(() => GateCheckpoint.Load(Write(Rehash(bytes))));

        Assert.Contains("losses holds the count", ex.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Load_DamagedAndRehashed_LoadsOrThrowsInvalidDataExceptionNamingTheFile(int seed)
    {
        var random = new Random(11000 + seed);
        byte[] bytes = Valid();
        for (int i = 0; i < 1 + random.Next(4); i++)
        {
            int at = random.Next(8, bytes.Length - 32);
            bytes[at] = random.Next(3) == 0 ? (byte)0xFF : (byte)random.Next(256);
        }

        string path = Write(Rehash(bytes));
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            GateCheckpoint.Load(path);
        }
        catch (InvalidDataException ex)
        {
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "a damaged count allocated more than the file");
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 1e-5)]
    [InlineData(10000, double.NaN)]
    public void Validate_NonFiniteRopeThetaOrEpsilon_Throws(double theta, double eps)
    {
        var shape = new BaseModelShape { VocabSize = 64, HiddenSize = 32, Layers = 1, Heads = 2, KvHeads = 1, IntermediateSize = 64, RopeTheta = theta, RmsNormEps = eps };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(shape.Validate);

        Assert.Contains("finite", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Rehash(byte[] bytes)
    {
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        return bytes;
    }

    private byte[] Valid()
    {
        string path = Path.Combine(_dir, "valid.ckpt");
        new GateCheckpoint
        {
            PackageRevision = "rev",
            LearningRate = 1e-3,
            Seed = 1,
            BatchSize = 2,
            Segments = 3,
            DetachEverySegments = 1,
            Step = 5,
            AdamSteps = 5,
            Losses = [1.5, 1.25],
            Parameters = [[1f, 2f], [3f]],
            FirstMoments = [[0f, 0f], [0f]],
            SecondMoments = [[0f, 0f], [0f]],
            State = [[4f]],
        }.Save(path);
        return File.ReadAllBytes(path);
    }

    private string Write(byte[] bytes)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".ckpt");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
