namespace EdgeInfinite.ModelBuilder.Quantization;

/// <summary>
/// Round-to-nearest symmetric block quantization (the formula of llama.cpp's Q4_0/Q8_0 and of ONNX Runtime's
/// symmetric MLAS quantizer). For each row and each block of <c>B</c> consecutive columns, with <c>z = 2^(bits−1)</c>:
/// <c>m</c> = the block's value of largest magnitude (sign kept, the first one on ties), <c>s = m / −z</c>,
/// <c>q = clamp(round(w / s) + z, 0, 2z − 1)</c> (round half to even, float32), and the weight stands for <c>(q − z) · s</c>.
/// The extreme value maps exactly to code 0, so the whole signed range <c>−z .. z − 1</c> is used. An all-zero block has
/// <c>s = 0</c> and codes <c>z</c>.
/// </summary>
public static class BlockQuantizer
{
    /// <summary>Quantizes a row-major <c>[rows, columns]</c> matrix.</summary>
    /// <param name="weights">The matrix.</param>
    /// <param name="rows">The rows (N).</param>
    /// <param name="columns">The columns (K), a multiple of <paramref name="blockSize"/>.</param>
    /// <param name="bits">4 or 8.</param>
    /// <param name="blockSize">The block size, a power of two of at least 16.</param>
    /// <returns>The quantized matrix.</returns>
    /// <exception cref="ArgumentException">A size does not fit.</exception>
    public static QuantizedMatrix Quantize(ReadOnlySpan<float> weights, int rows, int columns, int bits, int blockSize)
    {
        if (bits is not (4 or 8))
        {
            throw new ArgumentException($"bits must be 4 or 8, not {bits}.", nameof(bits));
        }

        if (blockSize < 16 || (blockSize & (blockSize - 1)) != 0)
        {
            throw new ArgumentException($"The block size must be a power of two of at least 16, not {blockSize}.", nameof(blockSize));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (columns % blockSize != 0)
        {
            throw new ArgumentException($"The input dimension {columns} is not a multiple of the block size {blockSize}.", nameof(columns));
        }

        if (weights.Length != (long)rows * columns)
        {
            throw new ArgumentException($"The matrix has {weights.Length} values; [{rows}, {columns}] needs {(long)rows * columns}.", nameof(weights));
        }

        int blocks = columns / blockSize;
        int zero = 1 << (bits - 1);
        int max = (1 << bits) - 1;
        var data = new byte[(long)rows * columns * bits / 8];
        var scales = new float[(long)rows * blocks];
        for (int r = 0; r < rows; r++)
        {
            for (int b = 0; b < blocks; b++)
            {
                var block = weights.Slice(r * columns + b * blockSize, blockSize);
                float extreme = 0f;
                foreach (float w in block)
                {
                    if (MathF.Abs(w) > MathF.Abs(extreme))
                    {
                        extreme = w;
                    }
                }

                float scale = extreme / -zero;
                scales[(long)r * blocks + b] = scale;
                for (int i = 0; i < blockSize; i++)
                {
                    int q = scale == 0f ? zero : Math.Clamp((int)MathF.Round(block[i] / scale, MidpointRounding.ToEven) + zero, 0, max);
                    long index = (long)r * columns + b * blockSize + i;
                    if (bits == 8)
                    {
                        data[index] = (byte)q;
                    }
                    else
                    {
                        data[index >> 1] |= (byte)(q << (int)((index & 1) * 4));
                    }
                }
            }
        }

        return new QuantizedMatrix(rows, columns, bits, blockSize, data, scales);
    }
}
