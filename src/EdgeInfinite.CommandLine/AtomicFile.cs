using System.Text;

namespace EdgeInfinite.CommandLine;

/// <summary>
/// Writes an output file through <c>path.partial</c> and a rename, so a reader never sees half a file and a failed
/// write leaves the previous file as it was.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <c>path.partial</c> and renames it over <paramref name="path"/>; any failure removes the partial file.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the content to the stream.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string temp = path + ".partial";
        try
        {
            using (var file = File.Create(temp))
            {
                write(file);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark, atomically.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="text">The content.</param>
    public static void WriteText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
    }
}
