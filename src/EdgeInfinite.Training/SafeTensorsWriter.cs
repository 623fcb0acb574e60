using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;

namespace EdgeInfinite.Training;

/// <summary>Writes float32 tensors into one <c>.safetensors</c> file (8-byte header length, JSON header padded to 8 bytes, raw data).</summary>
internal static class SafeTensorsWriter
{
    public static void Write(string path, IReadOnlyList<(string Name, long[] Shape, float[] Data)> tensors)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var (name, shape, data) in tensors)
        {
            long end = offset + (data.LongLength * sizeof(float));
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
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(headerBytes);
        for (int i = headerBytes.Length; i < padded; i++)
        {
            stream.WriteByte((byte)' ');
        }

        foreach (var (_, _, data) in tensors)
        {
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        }
    }
}
