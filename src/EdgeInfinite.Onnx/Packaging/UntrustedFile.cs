namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// Reads files that come from someone else (package configs, checkpoint JSON, tokenizer files) with a size limit
/// checked before the file is opened: an empty size is refused too, which keeps pipes (FIFOs) and devices, whose size is
/// 0, from ever being opened or read (opening a FIFO would block until a writer appears).
/// </summary>
public static class UntrustedFile
{
    /// <summary>The largest tokenizer file read (real <c>tokenizer.json</c> files reach about 35 MB).</summary>
    public const long MaxTokenizerBytes = 256 << 20;

    /// <summary>Reads a whole regular file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">The size limit.</param>
    /// <param name="what">What the file is, for messages (for example <c>edgeinfinite.json</c>).</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty, not a regular file, larger than the limit, or changed while read.</exception>
    public static byte[] ReadAllBytes(string path, long maxBytes, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"'{path}' ({what}) does not exist.", path);
        }

        long length = info.Length;
        if (length <= 0)
        {
            throw new InvalidDataException($"'{path}' ({what}) is empty or not a regular file (pipes and devices are never read).");
        }

        if (length > maxBytes)
        {
            throw new InvalidDataException($"'{path}' ({what}) has {length:N0} bytes; the limit is {maxBytes:N0}.");
        }

        var bytes = new byte[length];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        int read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read != bytes.Length || stream.ReadByte() != -1)
        {
            throw new InvalidDataException($"'{path}' ({what}) changed size while it was read.");
        }

        return bytes;
    }
}
