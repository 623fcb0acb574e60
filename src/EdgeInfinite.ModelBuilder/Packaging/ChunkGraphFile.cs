using EdgeInfinite.Onnx.Packaging;
using Google.Protobuf;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Packaging;

/// <summary>Reads a package's chunk graph as ONNX protobuf, naming the file in every error (the protobuf parser's own messages name none).</summary>
internal static class ChunkGraphFile
{
    /// <summary>Parses the graph file (without its external weights).</summary>
    /// <param name="path">The graph file.</param>
    /// <returns>The model, with a graph.</returns>
    /// <exception cref="InvalidDataException">The file is not a regular file, is not ONNX protobuf, or has no graph.</exception>
    public static ModelProto Read(string path)
    {
        // Size-checked before opening (a pipe or a device is never opened); the weights live in the external data file.
        byte[] bytes = UntrustedFile.ReadAllBytes(path, Array.MaxLength, "chunk graph");
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"'{path}' is not an ONNX model: {ex.Message}", ex);
        }

        return model.Graph is not null ? model : throw new InvalidDataException($"'{path}' is an ONNX model without a graph.");
    }

    /// <summary>The graph's initializers by name.</summary>
    /// <param name="model">The model read by <see cref="Read"/>.</param>
    /// <param name="path">The graph file, named in errors.</param>
    /// <returns>The initializers.</returns>
    /// <exception cref="InvalidDataException">Two initializers share a name.</exception>
    public static Dictionary<string, TensorProto> Initializers(ModelProto model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in model.Graph.Initializer)
        {
            if (!result.TryAdd(tensor.Name, tensor))
            {
                throw new InvalidDataException($"'{path}' has two initializers named '{tensor.Name}'.");
            }
        }

        return result;
    }
}
