namespace EdgeInfinite.Onnx.Tests.Docs;

/// <summary>
/// Checks the relative links of Markdown files: the file or folder a link names must exist under the repository root,
/// and an anchor on a Markdown target must be one of its headings. Web links (http, https, mailto) and links to an
/// anchor of the same file are not checked.
/// </summary>
public static class DocsLinkChecker
{
    /// <summary>Returns one line per broken link, "file:line: target (reason)"; empty when every link resolves.</summary>
    /// <param name="root">The repository root; no link may leave it.</param>
    /// <param name="files">The Markdown files to check.</param>
    public static IReadOnlyList<string> Check(string root, IEnumerable<string> files)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(files);
        string fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var problems = new List<string>();
        foreach (string file in files)
        {
            string relativeFile = Path.GetRelativePath(fullRoot, file).Replace('\\', '/');
            foreach (var link in MarkdownLinks.Find(File.ReadAllText(file)))
            {
                string? reason = Resolve(fullRoot, Path.GetDirectoryName(Path.GetFullPath(file))!, link.Target);
                if (reason is not null)
                {
                    problems.Add($"{relativeFile}:{link.Line}: {link.Target} ({reason})");
                }
            }
        }

        return problems;
    }

    private static string? Resolve(string root, string directory, string target)
    {
        if (target.StartsWith('#') || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        int hash = target.IndexOf('#', StringComparison.Ordinal);
        string pathPart = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        string? anchor = hash < 0 ? null : target[(hash + 1)..];
        string full = Path.GetFullPath(Path.Combine(directory, pathPart));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && full != root)
        {
            return "outside the repository";
        }

        string relative = Path.GetRelativePath(root, full).Replace('\\', '/');
        if (Directory.Exists(full))
        {
            return anchor is null ? null : "anchor on a folder";
        }

        if (!File.Exists(full))
        {
            return "no such file or folder";
        }

        if (anchor is not null && full.EndsWith(".md", StringComparison.OrdinalIgnoreCase) && !MarkdownLinks.Anchors(File.ReadAllText(full)).Contains(anchor))
        {
            return $"no heading with anchor #{anchor}";
        }

        return null;
    }
}
