using System.Globalization;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Packaging;

/// <summary>Reads where an initializer stored as external data lies in the weights file, naming the graph, the initializer and the entry in every error.</summary>
internal static class ExternalDataLocation
{
    /// <summary>Gets the byte range of an initializer's external data and checks that it lies inside the weights file.</summary>
    /// <param name="tensor">The initializer.</param>
    /// <param name="graphPath">The graph file, named in errors.</param>
    /// <param name="dataLength">The weights file's length in bytes.</param>
    /// <returns>The offset and the length in bytes.</returns>
    /// <exception cref="InvalidDataException">The initializer is not external data, an entry is repeated, <c>offset</c> or <c>length</c> is not a non-negative integer, or the range leaves the file.</exception>
    public static (long Offset, long Length) Of(TensorProto tensor, string graphPath, long dataLength)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentException.ThrowIfNullOrEmpty(graphPath);
        string? offsetText = null, lengthText = null;
        foreach (var entry in tensor.ExternalData)
        {
            switch (entry.Key)
            {
                case "offset":
                    offsetText = offsetText is null ? entry.Value : throw Repeated(tensor.Name, graphPath, entry.Key);
                    break;
                case "length":
                    lengthText = lengthText is null ? entry.Value : throw Repeated(tensor.Name, graphPath, entry.Key);
                    break;
            }
        }

        if (offsetText is null || lengthText is null)
        {
            throw new InvalidDataException($"Initializer '{tensor.Name}' of '{graphPath}' is not stored as external data (external_data needs 'offset' and 'length').");
        }

        long offset = Parse(offsetText, tensor.Name, graphPath, "offset");
        long length = Parse(lengthText, tensor.Name, graphPath, "length");

        // Compared as offset > dataLength - length: offset + length could overflow.
        if (length > dataLength || offset > dataLength - length)
        {
            throw new InvalidDataException($"Initializer '{tensor.Name}' of '{graphPath}': external_data offset {offset} + length {length} leaves the {dataLength}-byte weights file.");
        }

        return (offset, length);
    }

    private static long Parse(string text, string name, string graphPath, string key) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"Initializer '{name}' of '{graphPath}': external_data '{key}' = '{Shorten(text)}' is not a non-negative integer.");

    private static InvalidDataException Repeated(string name, string graphPath, string key) =>
        new($"Initializer '{name}' of '{graphPath}': external_data names '{key}' more than once.");

    // The value comes from the file: never echo more than a short prefix of it.
    private static string Shorten(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
