using System.Runtime.InteropServices;
using System.Text;

namespace EdgeInfinite.ModelBuilder.Gguf;

/// <summary>
/// A minimal GGUF v3 writer (llama.cpp's model format): typed key/value metadata, then tensor infos, then the
/// tensor data, each tensor aligned to <c>general.alignment</c> (32 bytes). Tensors are float32 or float16.
/// </summary>
internal sealed class GgufFile
{
    private const int Alignment = 32;
    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly List<(string Name, ulong[] Dims, bool Half, float[] Data)> _tensors = [];

    public void Add(string key, string value) => _metadata.Add((key, w => { w.Write(8u); WriteString(w, value); }));

    public void Add(string key, uint value) => _metadata.Add((key, w => { w.Write(4u); w.Write(value); }));

    public void Add(string key, int value) => _metadata.Add((key, w => { w.Write(5u); w.Write(value); }));

    public void Add(string key, float value) => _metadata.Add((key, w => { w.Write(6u); w.Write(value); }));

    public void Add(string key, bool value) => _metadata.Add((key, w => { w.Write(7u); w.Write(value); }));

    public void Add(string key, IReadOnlyList<string> values) => _metadata.Add((key, w =>
    {
        w.Write(9u);
        w.Write(8u);
        w.Write((ulong)values.Count);
        foreach (string v in values)
        {
            WriteString(w, v);
        }
    }));

    public void Add(string key, IReadOnlyList<int> values) => _metadata.Add((key, w =>
    {
        w.Write(9u);
        w.Write(5u);
        w.Write((ulong)values.Count);
        foreach (int v in values)
        {
            w.Write(v);
        }
    }));

    /// <summary>Adds a tensor; <paramref name="shape"/> is row-major (outermost first), as in PyTorch.</summary>
    public void AddTensor(string name, float[] data, bool half, params long[] shape) =>
        _tensors.Add((name, shape.Reverse().Select(d => (ulong)d).ToArray(), half, data));

    public void Write(Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write("GGUF"u8);
        w.Write(3u);
        w.Write((ulong)_tensors.Count);
        w.Write((ulong)_metadata.Count + 1);
        WriteString(w, "general.alignment");
        w.Write(4u);
        w.Write((uint)Alignment);
        foreach (var (key, write) in _metadata)
        {
            WriteString(w, key);
            write(w);
        }

        ulong offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(w, t.Name);
            w.Write((uint)t.Dims.Length);
            foreach (ulong d in t.Dims)
            {
                w.Write(d);
            }

            w.Write(t.Half ? 1u : 0u);
            w.Write(offset);
            offset = Align(offset + (ulong)t.Data.LongLength * (t.Half ? 2UL : 4UL));
        }

        Pad(w);
        long dataStart = stream.Position;
        foreach (var t in _tensors)
        {
            if (t.Half)
            {
                var halves = new Half[t.Data.Length];
                for (int i = 0; i < halves.Length; i++)
                {
                    halves[i] = (Half)t.Data[i];
                }

                w.Write(MemoryMarshal.AsBytes(halves.AsSpan()));
            }
            else
            {
                w.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
            }

            Pad(w, dataStart);
        }
    }

    private static ulong Align(ulong value) => (value + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w, long origin = 0)
    {
        long position = w.BaseStream.Position - origin;
        long padding = (Alignment - position % Alignment) % Alignment;
        for (long i = 0; i < padding; i++)
        {
            w.Write((byte)0);
        }
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
