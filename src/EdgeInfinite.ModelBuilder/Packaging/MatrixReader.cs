using EdgeInfinite.ModelBuilder.Graphs;
using EdgeInfinite.ModelBuilder.Quantization;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Packaging;

/// <summary>Reads weight matrices in either precision and returns them in Hugging Face's <c>[out, in]</c> layout.</summary>
internal sealed class MatrixReader(ExternalTensorReader reader, WeightSettings precision, string graphPath)
{
    /// <summary>A projection: float32 stored transposed <c>[in, out]</c> for <c>MatMul</c>, or quantized <c>[out, in]</c>.</summary>
    public float[] Linear(string name, int rows, int cols) =>
        precision.IsQuantized ? Quantized(name, rows, cols) : MatrixLayout.Transpose(Float(name, (long)rows * cols), cols, rows);

    /// <summary>An embedding or LM head: float32 stored as <c>[vocab, hidden]</c>, or quantized (a quantized package may keep a float32 embedding table).</summary>
    public float[] Rows(string name, int rows, int cols) =>
        precision.IsQuantized && !reader.Has(name) ? Quantized(name, rows, cols) : Float(name, (long)rows * cols);

    /// <summary>An LM head: float32 <c>[vocab, hidden]</c>, or quantized whatever the embedding is.</summary>
    public float[] Head(string name, int rows, int cols) =>
        precision.IsQuantized ? Quantized(name, rows, cols) : Float(name, (long)rows * cols);

    /// <summary>Gets a value indicating whether the graph holds a float32 initializer of this name.</summary>
    public bool HasFloat(string name) => reader.Has(name);

    private float[] Float(string name, long count)
    {
        if (!reader.Has(name))
        {
            throw new InvalidDataException($"'{graphPath}' has no float32 initializer '{name}' though {PackageConfig.FileName} field 'weights.precision' says fp32.");
        }

        return reader.Read(name, count);
    }

    private float[] Quantized(string name, int rows, int cols)
    {
        int bits = precision.Bits, block = precision.BlockSize, blocks = cols / block, blob = block * bits / 8;
        string blockView = QuantizedNames.BlockView(name, bits), rowsView = QuantizedNames.RowsView(name, bits);

        // An untied quantized embedding is declared only as the GatherBlockQuantized view (same bytes, other shape).
        byte[] bytes;
        if (reader.Has(blockView))
        {
            bytes = reader.ReadBytes(blockView, [rows, blocks, blob]);
        }
        else if (reader.Has(rowsView))
        {
            bytes = reader.ReadBytes(rowsView, [rows, (long)blocks * blob]);
        }
        else
        {
            throw new InvalidDataException($"'{graphPath}' has no {bits}-bit initializer '{blockView}' though {PackageConfig.FileName} field 'weights.precision' says {GraphWeightInfo.Name(precision.Precision)} (block size {block}).");
        }

        var scales = reader.Read(QuantizedNames.ScalesOf(name), (long)rows * blocks);
        return new QuantizedMatrix(rows, cols, bits, block, bytes, scales).Dequantize();
    }
}
