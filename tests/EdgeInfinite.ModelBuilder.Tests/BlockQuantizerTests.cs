using EdgeInfinite.ModelBuilder.Quantization;

namespace EdgeInfinite.ModelBuilder.Tests;

public sealed class BlockQuantizerTests
{
    [Theory]
    [InlineData(4, 32)]
    [InlineData(4, 16)]
    [InlineData(8, 32)]
    [InlineData(8, 64)]
    public void Quantize_RandomMatrix_EachWeightWithinHalfAStepAndExtremeExact(int bits, int blockSize)
    {
        // Half a step everywhere except past (z − ½)·|s| on the side opposite the extreme, where the code clamps at 2z − 1: one step.
        const int Rows = 7, Columns = 128;
        var random = new Random(bits * 100 + blockSize);
        var w = Enumerable.Range(0, Rows * Columns).Select(_ => (float)(random.NextDouble() * 2 - 1) * 0.3f).ToArray();

        var q = BlockQuantizer.Quantize(w, Rows, Columns, bits, blockSize);
        var d = q.Dequantize();

        Assert.Equal((long)Rows * Columns * bits / 8, q.Data.LongLength);
        Assert.Equal(Rows * (Columns / blockSize), q.Scales.Length);
        for (int r = 0; r < Rows; r++)
        {
            for (int b = 0; b < Columns / blockSize; b++)
            {
                float scale = q.Scales[r * (Columns / blockSize) + b];
                var block = Enumerable.Range(b * blockSize, blockSize).Select(c => r * Columns + c).ToArray();
                int extreme = block.MaxBy(i => Math.Abs(w[i]));
                Assert.Equal(w[extreme], d[extreme], 6);
                Assert.Equal(0, q.Code(r, extreme - r * Columns));
                int z = 1 << (bits - 1);
                Assert.All(block, i =>
                {
                    double bound = Math.Abs(w[i]) > (z - 0.5) * Math.Abs(scale) ? Math.Abs(scale) : Math.Abs(scale) / 2;
                    Assert.True(Math.Abs(w[i] - d[i]) <= bound * (1 + 1e-5), $"weight {i}: {w[i]} vs {d[i]}, step {scale}");
                });
            }
        }
    }

    [Fact]
    public void Quantize_FourBits_PacksEvenColumnInLowNibble()
    {
        // Block of 16: extreme −1 ⇒ s = 1/8; w = k/8 ⇒ q = k + 8.
        float[] w = [-1f, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f, 0.75f, 0.875f, 0f, -0.125f, -0.25f, -0.375f, -0.5f, -0.625f, -0.75f, -0.875f];

        var q = BlockQuantizer.Quantize(w, 1, 16, 4, 16);

        Assert.Equal(0.125f, q.Scales[0]);
        Assert.Equal((byte)(0 | (9 << 4)), q.Data[0]);
        Assert.Equal((byte)(10 | (11 << 4)), q.Data[1]);
        Assert.Equal(w, q.Dequantize());
    }

    [Fact]
    public void Quantize_AllZeroBlock_ZeroScaleAndMidCodes()
    {
        var q = BlockQuantizer.Quantize(new float[32], 1, 32, 8, 32);

        Assert.Equal(0f, q.Scales[0]);
        Assert.All(q.Data, b => Assert.Equal(128, b));
        Assert.All(q.Dequantize(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Quantize_ColumnsNotMultipleOfBlock_ThrowsNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => BlockQuantizer.Quantize(new float[48], 1, 48, 4, 32));

        Assert.Contains("48", ex.Message, StringComparison.Ordinal);
        Assert.Contains("32", ex.Message, StringComparison.Ordinal);
    }
}
