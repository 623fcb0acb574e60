using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// The token embedding of a quantized package, read row by row from its weights file: the same block-quantized rows
/// <c>(q − 2^(bits−1)) · scale</c> that <c>GatherBlockQuantized</c> computes, looked up by the engine instead of the
/// chunk graph. A tied LM head shares these bytes; ONNX Runtime keeps only its pre-packed copy of them, and the rows a
/// prompt uses are read with positioned reads, not mapped, so they do not add to the process's resident memory.
/// </summary>
public sealed class QuantizedEmbedding : IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly long _dataOffset;
    private readonly long _scalesOffset;
    private readonly int _rowBytes;
    private readonly int _blocks;
    private readonly int _blockSize;
    private readonly int _bits;
    private readonly byte[] _row;
    private readonly float[] _scales;

    private QuantizedEmbedding(SafeFileHandle file, int vocab, int hidden, int bits, int blockSize, long dataOffset, long scalesOffset)
    {
        _file = file;
        VocabSize = vocab;
        HiddenSize = hidden;
        _bits = bits;
        _blockSize = blockSize;
        _blocks = hidden / blockSize;
        _rowBytes = hidden * bits / 8;
        _dataOffset = dataOffset;
        _scalesOffset = scalesOffset;
        _row = new byte[_rowBytes];
        _scales = new float[_blocks];
    }

    /// <summary>Gets the number of rows.</summary>
    public int VocabSize { get; }

    /// <summary>Gets the length of a row.</summary>
    public int HiddenSize { get; }

    /// <summary>
    /// Opens the embedding a quantized package's chunk graph names in its metadata
    /// (<see cref="ChunkGraphContract.EmbeddingDataOffsetKey"/>, <see cref="ChunkGraphContract.EmbeddingScalesOffsetKey"/>).
    /// </summary>
    /// <param name="package">The package.</param>
    /// <param name="metadata">The chunk graph's metadata.</param>
    /// <returns>The embedding.</returns>
    /// <exception cref="InvalidDataException">The package is not quantized, an offset is missing, malformed or places the rows outside the weights file; the message names the file and the key.</exception>
    public static QuantizedEmbedding Open(ModelPackage package, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(package);
        ArgumentNullException.ThrowIfNull(metadata);
        var a = package.Config.Architecture;
        var w = package.Config.Weights;
        string graph = package.Config.Files.ChunkGraph;
        if (!w.IsQuantized)
        {
            throw new InvalidDataException($"Model package '{package.Directory}': '{graph}' takes '{ChunkGraphContract.InputsEmbeds}', which only a quantized package's chunk graph does, but {PackageConfig.FileName} field 'weights.precision' says fp32.");
        }

        if (w.BlockSize <= 0 || a.HiddenSize % w.BlockSize != 0)
        {
            throw new InvalidDataException($"Model package '{package.Directory}': {PackageConfig.FileName} field 'weights.blockSize' ({w.BlockSize}) does not divide architecture.hiddenSize ({a.HiddenSize}).");
        }

        long dataLength = (long)a.VocabSize * a.HiddenSize * w.Bits / 8;
        long scalesLength = (long)a.VocabSize * (a.HiddenSize / w.BlockSize) * sizeof(float);
        var file = File.OpenHandle(package.WeightsPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long fileLength = RandomAccess.GetLength(file);
            long data = Offset(metadata, ChunkGraphContract.EmbeddingDataOffsetKey, dataLength, fileLength, package);
            long scales = Offset(metadata, ChunkGraphContract.EmbeddingScalesOffsetKey, scalesLength, fileLength, package);
            return new QuantizedEmbedding(file, a.VocabSize, a.HiddenSize, w.Bits, w.BlockSize, data, scales);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Writes the rows of <paramref name="ids"/> one after another into <paramref name="destination"/>.</summary>
    /// <param name="ids">The token ids.</param>
    /// <param name="destination">At least <c>ids.Length · HiddenSize</c> values.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the vocabulary.</exception>
    /// <exception cref="IOException">The weights file cannot be read (for example it was truncated after loading).</exception>
    public void Lookup(ReadOnlySpan<long> ids, Span<float> destination)
    {
        if (destination.Length < (long)ids.Length * HiddenSize)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {ids.Length} rows need {(long)ids.Length * HiddenSize}.", nameof(destination));
        }

        // One lookup at a time: the row and scale buffers are shared (a model's states run one chunk at a time each,
        // but several states may share the model).
        lock (_row)
        {
            for (int i = 0; i < ids.Length; i++)
            {
                long id = ids[i];
                if ((ulong)id >= (ulong)VocabSize)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id {id} is outside the vocabulary (0..{VocabSize - 1}).");
                }

                ReadRow(id, destination.Slice(i * HiddenSize, HiddenSize));
            }
        }
    }

    /// <summary>Reads every row (vocab × hidden values), for tools that need the whole table.</summary>
    /// <returns>The table, row-major.</returns>
    public float[] ReadAll()
    {
        var table = new float[(long)VocabSize * HiddenSize];
        lock (_row)
        {
            for (int r = 0; r < VocabSize; r++)
            {
                ReadRow(r, table.AsSpan(r * HiddenSize, HiddenSize));
            }
        }

        return table;
    }

    /// <inheritdoc/>
    public void Dispose() => _file.Dispose();

    private static long Offset(IReadOnlyDictionary<string, string> metadata, string key, long length, long fileLength, ModelPackage package)
    {
        string graph = package.Config.Files.ChunkGraph;
        if (!metadata.TryGetValue(key, out var text))
        {
            throw new InvalidDataException($"Model package '{package.Directory}': '{graph}' takes '{ChunkGraphContract.InputsEmbeds}' but has no metadata '{key}'; it was not written by this version's converter.");
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long offset) || offset > fileLength - length)
        {
            throw new InvalidDataException($"Model package '{package.Directory}': '{graph}' metadata '{key}' = '{text}' does not place {length} bytes inside '{package.Config.Files.Weights}' ({fileLength} bytes).");
        }

        return offset;
    }

    private void ReadRow(long row, Span<float> destination)
    {
        ReadExactly(_row, _dataOffset + row * _rowBytes);
        ReadExactly(MemoryMarshal.AsBytes(_scales.AsSpan()), _scalesOffset + row * _blocks * sizeof(float));
        int zero = 1 << (_bits - 1);
        for (int c = 0; c < HiddenSize; c++)
        {
            int q = _bits == 8 ? _row[c] : (_row[c >> 1] >> ((c & 1) * 4)) & 0xF;
            destination[c] = (q - zero) * _scales[c / _blockSize];
        }
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(_file, buffer[done..], offset + done);
            if (n == 0)
            {
                throw new IOException($"The weights file ended at byte {offset + done} while reading the token embedding; it changed after the package was loaded.");
            }

            done += n;
        }
    }
}
