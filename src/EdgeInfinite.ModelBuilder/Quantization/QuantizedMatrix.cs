namespace EdgeInfinite.ModelBuilder.Quantization;

/// <summary>
/// A <c>[rows, columns]</c> float matrix (Hugging Face's <c>[out, in]</c>) quantized block-wise along its columns, in the
/// layout ONNX Runtime's <c>MatMulNBits</c> reads: <see cref="Data"/> is <c>[rows, blocks, blockSize·bits/8]</c> bytes
/// (4-bit: even column in the low nibble), <see cref="Scales"/> is <c>[rows, blocks]</c>; no zero points (symmetric,
/// the implied zero point is <c>2^(bits−1)</c>).
/// </summary>
public sealed class QuantizedMatrix
{
    internal QuantizedMatrix(int rows, int columns, int bits, int blockSize, byte[] data, float[] scales)
    {
        Rows = rows;
        Columns = columns;
        Bits = bits;
        BlockSize = blockSize;
        Data = data;
        Scales = scales;
    }

    /// <summary>Gets the number of rows (<c>N</c>, output features).</summary>
    public int Rows { get; }

    /// <summary>Gets the number of columns (<c>K</c>, input features).</summary>
    public int Columns { get; }

    /// <summary>Gets the bits per weight (4 or 8).</summary>
    public int Bits { get; }

    /// <summary>Gets the block size.</summary>
    public int BlockSize { get; }

    /// <summary>Gets the number of blocks per row.</summary>
    public int BlocksPerRow => Columns / BlockSize;

    /// <summary>Gets the bytes of one block.</summary>
    public int BlobSize => BlockSize * Bits / 8;

    /// <summary>Gets the packed quantized weights, <c>[rows, blocks, blobSize]</c>.</summary>
    public byte[] Data { get; }

    /// <summary>Gets the scales, <c>[rows, blocks]</c>.</summary>
    public float[] Scales { get; }

    /// <summary>Gets the quantized value (0 .. 2^bits − 1) of one weight.</summary>
    /// <param name="row">The row.</param>
    /// <param name="column">The column.</param>
    /// <returns>The stored code.</returns>
    public int Code(int row, int column)
    {
        long index = (long)row * Columns + column;
        return Bits == 8 ? Data[index] : (Data[index >> 1] >> (int)((index & 1) * 4)) & 0xF;
    }

    /// <summary>Gets the float32 matrix the quantized one stands for: <c>(q − 2^(bits−1)) · scale</c>, computed in float32.</summary>
    /// <returns>The row-major <c>[rows, columns]</c> matrix.</returns>
    public float[] Dequantize()
    {
        var result = new float[(long)Rows * Columns];
        int zero = 1 << (Bits - 1);
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                float scale = Scales[(long)r * BlocksPerRow + c / BlockSize];
                result[(long)r * Columns + c] = (Code(r, c) - zero) * scale;
            }
        }

        return result;
    }
}
