using System.Text;
using System.Text.RegularExpressions;

namespace EdgeInfinite.Onnx.Tests.Docs;

/// <summary>Finds the links of a Markdown file and the anchors its headings get, the way GitHub renders them.</summary>
public static partial class MarkdownLinks
{
    /// <summary>Inline links and images, <c>[text](target "title")</c>, outside fenced code blocks and code spans.</summary>
    public static IReadOnlyList<MarkdownLink> Find(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var links = new List<MarkdownLink>();
        bool inFence = false;
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            foreach (Match m in InlineLink().Matches(CodeSpan().Replace(line, string.Empty)))
            {
                links.Add(new MarkdownLink(m.Groups["target"].Value, i + 1));
            }
        }

        return links;
    }

    /// <summary>The anchors of a file's headings: GitHub's slugs (lower case, punctuation dropped, spaces to hyphens, repeats numbered).</summary>
    public static IReadOnlySet<string> Anchors(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        bool inFence = false;
        foreach (string raw in markdown.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            var heading = Heading().Match(line);
            if (inFence || !heading.Success)
            {
                continue;
            }

            string slug = Slug(heading.Groups["text"].Value);
            string unique = slug;
            for (int n = 1; !anchors.Add(unique); n++)
            {
                unique = $"{slug}-{n}";
            }
        }

        return anchors;
    }

    /// <summary>GitHub's anchor for a heading text.</summary>
    public static string Slug(string heading)
    {
        ArgumentNullException.ThrowIfNull(heading);
        var sb = new StringBuilder(heading.Length);
        foreach (char c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                sb.Append(c);
            }
            else if (c == ' ')
            {
                sb.Append('-');
            }
        }

        return sb.ToString();
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();
}
