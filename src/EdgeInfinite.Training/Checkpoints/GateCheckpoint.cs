using System.Security.Cryptography;
using System.Text;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Checkpoints;

/// <summary>
/// A resumable snapshot of a gate training run (also used by <see cref="BasePretrainer"/>, with the model shape and data in place of the package revision the sequence length in place of the segments and the schedule length in place of detach-every): the gates, AdamW's moments and step count, the step reached, the
/// loss history and what the run was started with (package revision, learning rate, seed, batch, segments).
/// Binary, little-endian, versioned, with a SHA-256 trailer; written to a temporary file and moved into place.
/// </summary>
internal sealed class GateCheckpoint
{
    private const string Magic = "EIGATECK";
    private const int FormatVersion = 2;

    public required string PackageRevision { get; init; }

    public required double LearningRate { get; init; }

    public required int Seed { get; init; }

    public required int BatchSize { get; init; }

    public required int Segments { get; init; }

    public required int DetachEverySegments { get; init; }

    public required int Step { get; init; }

    public required int AdamSteps { get; init; }

    public required double[] Losses { get; init; }

    /// <summary>Gets the trainable tensors' values in <see cref="GatedTransformer.TrainableParameters"/> order.</summary>
    public required float[][] Parameters { get; init; }

    public required float[][] FirstMoments { get; init; }

    public required float[][] SecondMoments { get; init; }

    /// <summary>Gets the training state that is not a parameter (the long-route trainer's carried memory), empty if none. Added in format version 2.</summary>
    public float[][] State { get; init; } = [];

    /// <summary>Refuses to resume from a checkpoint made with other settings, naming the setting.</summary>
    public static void RequireSame(string path, bool same, string what, object was, object now)
    {
        if (!same)
        {
            throw new InvalidDataException($"Checkpoint '{path}' was made with {what} {was}; this run has {now}. Resume with the same settings or start a new checkpoint.");
        }
    }

    public void Save(string path)
    {
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Encoding.ASCII.GetBytes(Magic));
            w.Write(FormatVersion);
            w.Write(PackageRevision);
            w.Write(LearningRate);
            w.Write(Seed);
            w.Write(BatchSize);
            w.Write(Segments);
            w.Write(DetachEverySegments);
            w.Write(Step);
            w.Write(AdamSteps);
            w.Write(Losses.Length);
            foreach (double loss in Losses)
            {
                w.Write(loss);
            }

            w.Write(Parameters.Length);
            foreach (var group in new[] { Parameters, FirstMoments, SecondMoments })
            {
                WriteArrays(w, group);
            }

            w.Write(State.Length);
            WriteArrays(w, State);
        }

        body.Write(SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length)));
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temp, body.ToArray());
        File.Move(temp, full, overwrite: true);
    }

    public static GateCheckpoint Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 4 + 32 || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
        {
            throw new InvalidDataException($"'{path}' is not a gate training checkpoint.");
        }

        var content = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt or truncated (checksum mismatch).");
        }

        using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, content.Length - Magic.Length), Encoding.UTF8);
        int version = r.ReadInt32();
        if (version is < 1 or > FormatVersion)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this trainer reads versions 1 to {FormatVersion}.");
        }

        string revision = r.ReadString();
        double lr = r.ReadDouble();
        int seed = r.ReadInt32(), batch = r.ReadInt32(), segments = r.ReadInt32(), detach = r.ReadInt32(), step = r.ReadInt32(), adam = r.ReadInt32();
        var losses = new double[r.ReadInt32()];
        for (int i = 0; i < losses.Length; i++)
        {
            losses[i] = r.ReadDouble();
        }

        int count = r.ReadInt32();
        var groups = new float[3][][];
        for (int g = 0; g < 3; g++)
        {
            groups[g] = ReadArrays(r, count);
        }

        var state = version >= 2 ? ReadArrays(r, r.ReadInt32()) : [];

        return new GateCheckpoint
        {
            PackageRevision = revision,
            LearningRate = lr,
            Seed = seed,
            BatchSize = batch,
            Segments = segments,
            DetachEverySegments = detach,
            Step = step,
            AdamSteps = adam,
            Losses = losses,
            Parameters = groups[0],
            FirstMoments = groups[1],
            SecondMoments = groups[2],
            State = state,
        };
    }

    private static void WriteArrays(BinaryWriter w, float[][] arrays)
    {
        foreach (var values in arrays)
        {
            w.Write(values.Length);
            foreach (float v in values)
            {
                w.Write(v);
            }
        }
    }

    private static float[][] ReadArrays(BinaryReader r, int count)
    {
        var arrays = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var values = new float[r.ReadInt32()];
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = r.ReadSingle();
            }

            arrays[i] = values;
        }

        return arrays;
    }
}
