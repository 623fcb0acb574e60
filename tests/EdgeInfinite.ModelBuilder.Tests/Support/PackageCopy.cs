namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Copies a package folder so that a test can damage its copy.</summary>
public static class PackageCopy
{
    /// <summary>Copies every file of a flat folder into a new folder.</summary>
    /// <param name="source">The package folder.</param>
    /// <param name="destination">The folder to create.</param>
    /// <returns><paramref name="destination"/>.</returns>
    public static string To(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        return destination;
    }

    /// <summary>Cuts a file to a length.</summary>
    /// <param name="path">The file.</param>
    /// <param name="length">The new length in bytes.</param>
    public static void Truncate(string path, long length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }
}
