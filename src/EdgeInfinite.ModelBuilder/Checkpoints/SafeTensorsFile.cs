using System.Buffers.Binary;
using System.Text.Json;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// Reads one <c>.safetensors</c> file: an 8-byte little-endian header length, a JSON header that maps tensor names
/// to dtype, shape and byte range, then the raw data. Tensors are read on demand and widened to float32.
/// </summary>
public sealed class SafeTensorsFile
{
    private readonly Dictionary<string, SafeTensorEntry> _entries;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, Dictionary<string, SafeTensorEntry> entries, long dataStart)
    {
        Path = path;
        _entries = entries;
        _dataStart = dataStart;
    }

    /// <summary>Gets the file's path.</summary>
    public string Path { get; }

    /// <summary>Gets the names of the tensors in the file.</summary>
    public IReadOnlyCollection<string> TensorNames => _entries.Keys;

    /// <summary>Gets the header entry of a tensor.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The entry, or <see langword="null"/> when the file has no such tensor.</returns>
    public SafeTensorEntry? Find(string name) => _entries.TryGetValue(name, out var e) ? e : null;

    /// <summary>Opens a file and validates its header against the file length.</summary>
    /// <param name="path">The file path.</param>
    /// <returns>The opened file.</returns>
    /// <exception cref="InvalidDataException">The header is unreadable or a tensor lies outside the file.</exception>
    public static SafeTensorsFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Safetensors file '{path}' does not exist.", path);
        }

        if (new FileInfo(path).Length <= 0)
        {
            // Pipes and devices report size 0: never opened, so a FIFO cannot hang the converter.
            throw new InvalidDataException($"Safetensors file '{path}' is empty or not a regular file.");
        }

        using var stream = File.OpenRead(path);
        long fileLength = stream.Length;
        Span<byte> lenBytes = stackalloc byte[8];
        if (stream.ReadAtLeast(lenBytes, 8, throwOnEndOfStream: false) != 8)
        {
            throw new InvalidDataException($"Safetensors file '{path}' is truncated: it has no 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (headerLength == 0 || headerLength > 100_000_000 || (long)headerLength > fileLength - 8)
        {
            throw new InvalidDataException($"Safetensors file '{path}' is truncated or corrupt: header length {headerLength} does not fit the file of {fileLength} bytes.");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var entries = ParseHeader(path, header, fileLength - dataStart);
        return new SafeTensorsFile(path, entries, dataStart);
    }

    /// <summary>Reads a tensor and converts it to float32.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>The values in row-major order.</returns>
    public float[] ReadFloat32(string name)
    {
        var entry = Find(name) ?? throw new KeyNotFoundException($"Tensor '{name}' is not in '{Path}'.");
        var raw = new byte[entry.ByteLength];
        using (var stream = File.OpenRead(Path))
        {
            stream.Seek(_dataStart + entry.Offset, SeekOrigin.Begin);
            int read = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            if (read != raw.Length)
            {
                throw new InvalidDataException($"Tensor '{name}' in '{Path}' is truncated: read {read} of {raw.Length} bytes.");
            }
        }

        return SafeTensorDType.ToFloat32(entry.DType, raw, name, Path);
    }

    private static Dictionary<string, SafeTensorEntry> ParseHeader(string path, byte[] header, long dataLength)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Safetensors file '{path}' has an unreadable JSON header: {ex.Message}", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"Safetensors file '{path}' header is not a JSON object.");
            }

            var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.Name == "__metadata__")
                {
                    continue;
                }

                entries[prop.Name] = ParseEntry(path, prop, dataLength);
            }

            return entries;
        }
    }

    private static SafeTensorEntry ParseEntry(string path, JsonProperty prop, long dataLength)
    {
        try
        {
            string dtype = prop.Value.GetProperty("dtype").GetString() ?? string.Empty;
            var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
            {
                throw new InvalidDataException($"Tensor '{prop.Name}' in '{path}' has invalid data_offsets.");
            }

            if (offsets[1] > dataLength)
            {
                throw new InvalidDataException($"Safetensors file '{path}' is truncated: tensor '{prop.Name}' ends at byte {offsets[1]} but the data section has {dataLength} bytes.");
            }

            int elementSize = SafeTensorDType.SizeOf(dtype, prop.Name, path);
            if (shape.Any(d => d < 0))
            {
                throw new InvalidDataException($"Tensor '{prop.Name}' in '{path}' has a negative dimension in shape [{string.Join(",", shape)}].");
            }

            long count = shape.Aggregate(1L, (a, b) => checked(a * b));
            if (checked(count * elementSize) != offsets[1] - offsets[0])
            {
                throw new InvalidDataException($"Tensor '{prop.Name}' in '{path}' has shape [{string.Join(",", shape)}] ({dtype}) but {offsets[1] - offsets[0]} bytes.");
            }

            return new SafeTensorEntry(prop.Name, dtype, shape, offsets[0], offsets[1] - offsets[0]);
        }
        catch (KeyNotFoundException ex)
        {
            throw new InvalidDataException($"Tensor '{prop.Name}' in '{path}' lacks dtype, shape or data_offsets.", ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            throw new InvalidDataException($"Tensor '{prop.Name}' in '{path}' has a malformed header entry (dtype, shape or data_offsets): {ex.Message}", ex);
        }
    }
}
