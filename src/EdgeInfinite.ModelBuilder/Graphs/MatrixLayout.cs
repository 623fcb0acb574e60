namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>Row-major matrix layout changes shared by the graph writer and the package weights reader.</summary>
internal static class MatrixLayout
{
    /// <summary>Transposes a row-major <c>[rows, cols]</c> matrix (e.g. Hugging Face's <c>[out, in]</c>) to <c>[cols, rows]</c>.</summary>
    public static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                t[(long)c * rows + r] = m[(long)r * cols + c];
            }
        }

        return t;
    }
}
