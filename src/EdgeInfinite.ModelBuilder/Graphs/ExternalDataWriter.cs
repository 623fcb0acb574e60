using System.Runtime.InteropServices;

namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>Appends initializer bytes to one external-data file that several graphs of a package reference.</summary>
internal sealed class ExternalDataWriter : IDisposable
{
    // ORT memory-maps external data when offsets are page aligned; 4 KiB alignment keeps that possible.
    private const int Alignment = 4096;
    private readonly FileStream _stream;

    public ExternalDataWriter(string path, string location)
    {
        Location = location;
        _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
    }

    /// <summary>Gets the file name written into each tensor's <c>location</c> entry.</summary>
    public string Location { get; }

    public (long Offset, long Length) Append(ReadOnlySpan<float> values) => Append(MemoryMarshal.AsBytes(values));

    public (long Offset, long Length) Append(ReadOnlySpan<byte> bytes)
    {
        long pad = (Alignment - (_stream.Position % Alignment)) % Alignment;
        if (pad > 0)
        {
            _stream.Write(new byte[pad]);
        }

        long offset = _stream.Position;
        _stream.Write(bytes);
        return (offset, bytes.Length);
    }

    public void Dispose() => _stream.Dispose();
}
