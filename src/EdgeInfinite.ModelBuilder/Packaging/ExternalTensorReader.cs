using System.Runtime.InteropServices;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Packaging;

/// <summary>Reads initializers stored as external data (offset/length into the package's weights file), checking type and size.</summary>
internal sealed class ExternalTensorReader(Dictionary<string, TensorProto> initializers, FileStream data, string graphPath)
{
    public bool Has(string name) => initializers.ContainsKey(name);

    public float[] Read(string name, long expected) =>
        ReadOptional(name, expected) ?? throw new InvalidDataException($"'{graphPath}' has no initializer '{name}'.");

    public float[]? ReadOptional(string name, long expected)
    {
        if (!initializers.TryGetValue(name, out var tensor))
        {
            return null;
        }

        var values = new float[expected];
        ReadInto(tensor, name, 1, MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Reads a uint8 initializer of a known shape.</summary>
    public byte[] ReadBytes(string name, long[] dims)
    {
        if (!initializers.TryGetValue(name, out var tensor))
        {
            throw new InvalidDataException($"'{graphPath}' has no initializer '{name}'.");
        }

        if (!tensor.Dims.SequenceEqual(dims))
        {
            throw new InvalidDataException($"Initializer '{name}' of '{graphPath}' has shape [{string.Join(",", tensor.Dims)}]; expected [{string.Join(",", dims)}].");
        }

        var values = new byte[dims.Aggregate(1L, (a, b) => a * b)];
        ReadInto(tensor, name, 2, values);
        return values;
    }

    private void ReadInto(TensorProto tensor, string name, int dataType, Span<byte> destination)
    {
        if (tensor.DataType != dataType)
        {
            throw new InvalidDataException($"Initializer '{name}' of '{graphPath}' has ONNX data type {tensor.DataType}; expected {dataType} ({(dataType == 1 ? "float" : "uint8")}).");
        }

        var (offset, length) = ExternalDataLocation.Of(tensor, graphPath, data.Length);
        if (length != destination.Length)
        {
            throw new InvalidDataException($"Initializer '{name}' of '{graphPath}' has {length} bytes at offset {offset}; expected {destination.Length} bytes.");
        }

        data.Seek(offset, SeekOrigin.Begin);
        data.ReadExactly(destination);
    }
}
