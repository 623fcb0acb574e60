using EdgeInfinite.ModelBuilder.Quantization;

namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>
/// Writes each named weight once into the package's external-data file and hands out its location, so the
/// chunk graph and the standard decoder graph share one copy of every weight (float32 or block-quantized).
/// </summary>
internal sealed class WeightStore(ExternalDataWriter writer)
{
    private readonly Dictionary<string, (long[] Dims, (long, long) Range)> _written = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QuantizedEntry> _quantized = new(StringComparer.Ordinal);

    public long BytesWritten { get; private set; }

    /// <summary>Registers a weight (written on first use) and adds it to the graph as an initializer.</summary>
    public string Use(OnnxGraphBuilder graph, string name, long[] dims, Func<float[]> values)
    {
        if (!_written.TryGetValue(name, out var entry))
        {
            var data = values();
            long expected = dims.Aggregate(1L, (a, b) => a * b);
            if (data.LongLength != expected)
            {
                throw new InvalidOperationException($"Weight '{name}' has {data.LongLength} values; its shape [{string.Join(",", dims)}] needs {expected}.");
            }

            var range = writer.Append(data);
            BytesWritten += range.Length;
            entry = (dims, range);
            _written[name] = entry;
        }

        return graph.ExternalInitializer(name, entry.Dims, writer.Location, entry.Range);
    }

    /// <summary>
    /// Registers a block-quantized <c>[rows, columns]</c> weight (quantized and written on first use) and adds to the
    /// graph its <c>{name}_scales</c> <c>[rows, blocks]</c> and the view of its bytes the caller's op reads:
    /// <c>{name}_Q{bits}</c> <c>[rows, blocks, blob]</c> for <c>MatMulNBits</c>, or, when <paramref name="gatherView"/>,
    /// <c>{name}_Q{bits}_rows</c> <c>[rows, columns·bits/8]</c> for <c>GatherBlockQuantized</c> (stored once; a tied
    /// embedding gets both views). Only the used view is declared: ONNX Runtime warns about every unused initializer
    /// on each load.
    /// </summary>
    public QuantizedNames UseQuantized(OnnxGraphBuilder graph, string name, int rows, int columns, int bits, int blockSize, bool gatherView, Func<float[]> values)
    {
        var entry = Quantized(name, rows, columns, bits, blockSize, values);
        string data = gatherView
            ? graph.ExternalInitializer(QuantizedNames.RowsView(name, entry.Bits), [entry.Rows, (long)entry.Blocks * entry.Blob], writer.Location, entry.Data, OnnxGraphBuilder.UInt8)
            : graph.ExternalInitializer(QuantizedNames.BlockView(name, entry.Bits), [entry.Rows, entry.Blocks, entry.Blob], writer.Location, entry.Data, OnnxGraphBuilder.UInt8);
        string scales = graph.ExternalInitializer(QuantizedNames.ScalesOf(name), [entry.Rows, entry.Blocks], writer.Location, entry.Scales);
        return new QuantizedNames(data, scales);
    }

    /// <summary>
    /// Writes a block-quantized <c>[rows, columns]</c> weight (on first use) without adding it to a graph; returns the byte
    /// offsets of its rows and of its scales in the weights file.
    /// </summary>
    public (long DataOffset, long ScalesOffset) WriteQuantized(string name, int rows, int columns, int bits, int blockSize, Func<float[]> values)
    {
        var entry = Quantized(name, rows, columns, bits, blockSize, values);
        return (entry.Data.Item1, entry.Scales.Item1);
    }

    private QuantizedEntry Quantized(string name, int rows, int columns, int bits, int blockSize, Func<float[]> values)
    {
        if (!_quantized.TryGetValue(name, out var entry))
        {
            var q = BlockQuantizer.Quantize(values(), rows, columns, bits, blockSize);
            var dataRange = writer.Append(q.Data);
            var scaleRange = writer.Append(q.Scales);
            BytesWritten += dataRange.Length + scaleRange.Length;
            entry = new QuantizedEntry(q.Rows, q.BlocksPerRow, q.BlobSize, bits, dataRange, scaleRange);
            _quantized[name] = entry;
        }

        return entry;
    }

    private sealed record QuantizedEntry(int Rows, int Blocks, int Blob, int Bits, (long, long) Data, (long, long) Scales);
}
