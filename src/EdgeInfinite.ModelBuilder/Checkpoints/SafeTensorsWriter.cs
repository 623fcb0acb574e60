using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// Writes float32 <c>.safetensors</c> files as the safetensors library does: an 8-byte little-endian header length,
/// a JSON header (padded with spaces to 8 bytes) mapping each name to dtype, shape and data_offsets, then the data
/// in header order.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes the tensors, in order, into a new file.</summary>
    /// <param name="path">The file to create (it must not exist).</param>
    /// <param name="tensors">Name, row-major shape and values of each tensor.</param>
    public static void Write(string path, IEnumerable<(string Name, long[] Shape, float[] Data)> tensors)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        foreach (var (name, shape, data) in list)
        {
            if (shape.Aggregate(1L, (a, b) => a * b) != data.LongLength)
            {
                throw new ArgumentException($"Tensor '{name}' has {data.LongLength} values for shape [{string.Join(", ", shape)}].", nameof(tensors));
            }
        }

        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        WriteHeader(stream, list.Select(t => (t.Name, t.Shape)).ToList());
        foreach (var t in list)
        {
            stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
        }
    }

    /// <summary>Writes the header for float32 tensors that will follow in this order; the caller writes the data.</summary>
    /// <param name="stream">The destination, positioned at the start of the file.</param>
    /// <param name="tensors">Name and row-major shape of each tensor.</param>
    public static void WriteHeader(Stream stream, IReadOnlyList<(string Name, long[] Shape)> tensors)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(tensors);
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long end = offset + (shape.Aggregate(1L, (a, b) => a * b) * sizeof(float));
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, end),
            };
            offset = end;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(headerBytes);
        for (int i = headerBytes.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }
    }
}
