namespace EdgeInfinite.Onnx.Packaging;

/// <summary>
/// Resolves file names that untrusted files give (a package's <c>files.*</c>, a checkpoint index's shard names) so that
/// they never leave their folder: no absolute path, no <c>..</c>, and the real path, every symbolic link followed, must
/// lie inside the real path of the allowed root.
/// </summary>
public static class ContainedPath
{
    private const int MaxLinkHops = 40;

    /// <summary>Resolves <paramref name="name"/> inside <paramref name="folder"/>.</summary>
    /// <param name="folder">The folder the name is relative to.</param>
    /// <param name="name">The relative name from the untrusted file.</param>
    /// <param name="source">The file that gave the name, for messages.</param>
    /// <param name="field">The field that gave the name, for messages.</param>
    /// <param name="root">The folder the resolved file must stay in (defaults to <paramref name="folder"/>; a Hugging Face cache passes its model root).</param>
    /// <returns>The real path of the file (it may not exist).</returns>
    /// <exception cref="InvalidDataException">The name is absolute, climbs out with <c>..</c>, or resolves outside the root.</exception>
    public static string Resolve(string folder, string? name, string source, string field, string? root = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidDataException($"'{source}': {field} must name a file.");
        }

        if (Path.IsPathRooted(name) || name.Contains(':', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)
            || name.Split('/', '\\').Any(part => part == ".."))
        {
            throw new InvalidDataException($"'{source}': {field} = '{name}' must be a file name inside the folder (no absolute path, no '..').");
        }

        string realRoot = RealPath(root ?? folder);
        string real = RealPath(Path.Combine(folder, name));
        if (!IsInside(real, realRoot))
        {
            throw new InvalidDataException($"'{source}': {field} = '{name}' resolves outside '{realRoot}' (a link that leaves the folder); refused.");
        }

        return real;
    }

    /// <summary>Returns whether <paramref name="path"/> is <paramref name="folder"/> or lies under it (both real, full paths).</summary>
    /// <param name="path">The path.</param>
    /// <param name="folder">The folder.</param>
    /// <returns><see langword="true"/> when inside.</returns>
    public static bool IsInside(string path, string folder)
    {
        string f = Path.TrimEndingDirectorySeparator(folder);
        string p = Path.TrimEndingDirectorySeparator(path);
        StringComparison cmp = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return p.Equals(f, cmp) || p.StartsWith(f + Path.DirectorySeparatorChar, cmp);
    }

    /// <summary>The full path with every symbolic link in it followed (the part that does not exist is kept as written).</summary>
    /// <param name="path">The path.</param>
    /// <returns>The real path.</returns>
    /// <exception cref="IOException">A cycle of links, or more than 40 of them.</exception>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        int hops = 0;
        while (true)
        {
            string root = Path.GetPathRoot(full) ?? string.Empty;
            var parts = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            string current = root;
            bool restarted = false;
            for (int i = 0; i < parts.Length; i++)
            {
                string next = Path.Combine(current, parts[i]);
                string? target = new FileInfo(next).LinkTarget;
                if (target is null)
                {
                    current = next;
                    continue;
                }

                if (++hops > MaxLinkHops)
                {
                    throw new IOException($"'{path}' has more than {MaxLinkHops} symbolic links in its path (a cycle?).");
                }

                // current holds no link, so resolving the target's '..' lexically against it is exact.
                string resolved = Path.IsPathRooted(target) ? target : Path.Combine(current, target);
                full = Path.GetFullPath(Path.Combine([resolved, .. parts[(i + 1)..]]));
                restarted = true;
                break;
            }

            if (!restarted)
            {
                return current;
            }
        }
    }
}
