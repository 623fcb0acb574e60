using System.Security.Cryptography;
using System.Text;
using EdgeInfinite.Onnx.Packaging;
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

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The checkpoint.</returns>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, fails its checksum, or a field is malformed; the message names the file and the field.</exception>
    public static GateCheckpoint Load(string path)
    {
        // Size-checked before opening: a pipe or device is never opened (it would block), a file over 2 GB is refused.
        var bytes = UntrustedFile.ReadAllBytes(path, Array.MaxLength, "training checkpoint");
        if (bytes.Length < Magic.Length + 4 + 32 || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic)
        {
            throw new InvalidDataException($"'{path}' is not a gate training checkpoint.");
        }

        var content = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new InvalidDataException($"Checkpoint '{path}' is corrupt or truncated (checksum mismatch).");
        }

        // The checksum is unkeyed: it catches damage, not a crafted file, so every count is bounded by the bytes left
        // (no allocation larger than the file) and every malformed field is named.
        string field = "formatVersion";
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, Magic.Length, content.Length - Magic.Length), Encoding.UTF8);
            int version = r.ReadInt32();
            if (version is < 1 or > FormatVersion)
            {
                throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this trainer reads versions 1 to {FormatVersion}.");
            }

            field = "packageRevision";
            string revision = r.ReadString();
            field = "settings";
            double lr = r.ReadDouble();
            int seed = r.ReadInt32(), batch = r.ReadInt32(), segments = r.ReadInt32(), detach = r.ReadInt32(), step = r.ReadInt32(), adam = r.ReadInt32();
            field = "losses";
            var losses = new double[ReadCount(r, sizeof(double), path, field)];
            for (int i = 0; i < losses.Length; i++)
            {
                losses[i] = r.ReadDouble();
            }

            field = "parameter count";
            int count = ReadCount(r, sizeof(int), path, field);
            var groups = new float[3][][];
            string[] names = ["parameters", "firstMoments", "secondMoments"];
            for (int g = 0; g < 3; g++)
            {
                field = names[g];
                groups[g] = ReadArrays(r, count, path, field);
            }

            field = "state";
            var state = version >= 2 ? ReadArrays(r, ReadCount(r, sizeof(int), path, field), path, field) : [];

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
        catch (Exception ex) when (ex is EndOfStreamException or FormatException)
        {
            // BinaryReader's own messages ("Too many bytes in what should have been a 7-bit encoded integer",
            // "Unable to read beyond the end of the stream") name neither the file nor the field.
            throw new InvalidDataException($"Checkpoint '{path}': {field} is malformed ({ex.Message}).", ex);
        }
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

    private static float[][] ReadArrays(BinaryReader r, int count, string path, string field)
    {
        var arrays = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var values = new float[ReadCount(r, sizeof(float), path, field)];
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = r.ReadSingle();
            }

            arrays[i] = values;
        }

        return arrays;
    }

    /// <summary>Reads a count of items of <paramref name="itemBytes"/> bytes each that must fit in the bytes left.</summary>
    private static int ReadCount(BinaryReader r, int itemBytes, string path, string field)
    {
        int n = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        return n >= 0 && n <= left / itemBytes
            ? n
            : throw new InvalidDataException($"Checkpoint '{path}': {field} holds the count {n}, which does not fit in the {left} bytes left.");
    }
}
