using System.Globalization;
using System.Runtime.InteropServices;
using Onnx;

namespace EdgeInfinite.Training.Weights;

/// <summary>Reads float32 initializers stored as external data (offset/length into the package's weights file).</summary>
internal sealed class ExternalTensorReader(Dictionary<string, TensorProto> initializers, FileStream data, string graphPath)
{
    public float[] Read(string name, long expected) =>
        ReadOptional(name, expected) ?? throw new InvalidDataException($"'{graphPath}' has no initializer '{name}'.");

    public float[]? ReadOptional(string name, long expected)
    {
        if (!initializers.TryGetValue(name, out var tensor))
        {
            return null;
        }

        var entries = tensor.ExternalData.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (!entries.TryGetValue("offset", out var offsetText) || !entries.TryGetValue("length", out var lengthText))
        {
            throw new InvalidDataException($"Initializer '{name}' of '{graphPath}' is not stored as external data.");
        }

        long offset = long.Parse(offsetText, CultureInfo.InvariantCulture);
        long length = long.Parse(lengthText, CultureInfo.InvariantCulture);
        if (length != expected * sizeof(float) || offset < 0 || offset + length > data.Length)
        {
            throw new InvalidDataException($"Initializer '{name}' of '{graphPath}' has {length} bytes at offset {offset}; expected {expected} float32 values inside the {data.Length}-byte weights file.");
        }

        var values = new float[expected];
        data.Seek(offset, SeekOrigin.Begin);
        data.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }
}
