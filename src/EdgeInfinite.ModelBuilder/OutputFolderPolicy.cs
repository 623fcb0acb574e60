using System.Text.Json;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder;

/// <summary>
/// Decides whether a conversion may write to an output path. With overwrite, only an empty folder or a folder that is
/// an EdgeInfinite package may be replaced: never a file, a symbolic link, an arbitrary folder of files, or a folder
/// that holds the checkpoint being converted. Every check runs before anything is written or deleted.
/// </summary>
internal static class OutputFolderPolicy
{
    /// <summary>Throws <see cref="IOException"/> when <paramref name="target"/> exists and may not be replaced.</summary>
    /// <param name="target">The full output path.</param>
    /// <param name="checkpoint">The full checkpoint path.</param>
    /// <param name="overwrite">Whether replacing a package was asked for.</param>
    public static void CheckReplaceable(string target, string checkpoint, bool overwrite)
    {
        FileSystemInfo entry = Directory.Exists(target) ? new DirectoryInfo(target) : new FileInfo(target);
        if (!entry.Exists && entry.LinkTarget is null)
        {
            return;
        }

        if (!overwrite)
        {
            throw new IOException($"Output '{target}' already exists; choose another folder or allow overwriting.");
        }

        string refused = $"Output '{target}'";
        string nothing = "--overwrite replaces only an EdgeInfinite package folder or an empty folder; nothing was deleted";
        if (entry.LinkTarget is not null)
        {
            throw new IOException($"{refused} is a symbolic link; {nothing}.");
        }

        if (entry is FileInfo)
        {
            throw new IOException($"{refused} is a file; {nothing}.");
        }

        if (IsSameOrInside(checkpoint, target))
        {
            throw new IOException($"{refused} is or contains the checkpoint folder '{checkpoint}' being converted; {nothing}.");
        }

        var entries = new DirectoryInfo(target).GetFileSystemInfos();
        if (entries.Length == 0)
        {
            return;
        }

        // A package folder is flat: regular files only, one of them a readable edgeinfinite.json.
        var odd = entries.FirstOrDefault(e => e is DirectoryInfo || e.LinkTarget is not null);
        if (odd is not null)
        {
            throw new IOException($"{refused} is not an EdgeInfinite package: it holds '{odd.Name}', which is a folder or a link; {nothing}.");
        }

        if (!IsPackageConfig(Path.Combine(target, PackageConfig.FileName)))
        {
            throw new IOException($"{refused} is not an EdgeInfinite package (it has no readable {PackageConfig.FileName} with formatVersion and architecture); {nothing}.");
        }
    }

    private static bool IsSameOrInside(string path, string folder)
    {
        string f = Path.TrimEndingDirectorySeparator(folder);
        string p = Path.TrimEndingDirectorySeparator(path);
        return p.Equals(f, StringComparison.Ordinal) || p.StartsWith(f + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    private static bool IsPackageConfig(string path)
    {
        var file = new FileInfo(path);
        if (!file.Exists || file.Length > PackageConfig.MaxFileBytes)
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("formatVersion", out var v) && v.ValueKind == JsonValueKind.Number
                && doc.RootElement.TryGetProperty("architecture", out var a) && a.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
