using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>
/// Writes a <c>.safetensors</c> file as the safetensors library does: an 8-byte little-endian header length, a JSON
/// header (padded with spaces to 8 bytes) mapping each name to dtype F32, shape and data_offsets, then the raw data.
/// </summary>
public static class SafeTensorsWriter
{
    /// <summary>Writes the tensors, in order, into one file.</summary>
    /// <param name="path">The file to create.</param>
    /// <param name="tensors">The tensors.</param>
    public static void Write(string path, IEnumerable<TestTensor> tensors)
    {
        var list = tensors.ToList();
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var t in list)
        {
            long count = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (count != t.Data.LongLength)
            {
                throw new ArgumentException($"Tensor '{t.Name}' has {t.Data.LongLength} values for shape [{string.Join(", ", t.Shape)}].", nameof(tensors));
            }

            long end = offset + (count * sizeof(float));
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["data_offsets"] = new JsonArray(offset, end),
            };
            offset = end;
        }

        var headerBytes = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (headerBytes.Length + 7) / 8 * 8;
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(headerBytes);
        for (int i = headerBytes.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var t in list)
        {
            stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
        }
    }
}
