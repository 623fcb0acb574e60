namespace EdgeInfinite.Onnx.Tests.Docs;

public sealed class DocsLinkTests : IDisposable
{
    // Documents the front page and docs/architecture.md link before they are written; an entry is checked like any
    // other link as soon as its file exists, and can then be removed.
    private readonly string _scratch = Path.Combine(Path.GetTempPath(), "edgeinfinite-docs-links-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void Check_ReadmeAndDocs_EveryRelativeLinkResolves()
    {
        string root = RepositoryRoot();
        string docs = Path.Combine(root, "docs");
        var files = new[] { Path.Combine(root, "README.md") }.Concat(Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories)).ToList();

        var problems = DocsLinkChecker.Check(root, files);

        Assert.True(files.Count >= 8, $"expected README.md and the docs, found {files.Count} files");
        Assert.True(problems.Count == 0, "broken links:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void Check_BrokenFileAnchorAndEscape_ReportsEachAndIgnoresWebCodeAndLocalAnchors()
    {
        Directory.CreateDirectory(Path.Combine(_scratch, "docs"));
        File.WriteAllText(Path.Combine(_scratch, "docs", "target.md"), "# Target\n\n## The `feature` map (β)\n");
        string page = Path.Combine(_scratch, "docs", "page.md");
        File.WriteAllText(page, string.Join('\n',
            "[ok](target.md) [ok anchor](target.md#the-feature-map-β) [folder](../docs/) [planned](planned.md)",
            "[web](https://example.invalid/x) [local](#anywhere) `[code](missing-in-code.md)`",
            "```",
            "[fenced](missing-in-fence.md)",
            "```",
            "[missing](missing.md) [bad anchor](target.md#nope) ![image](img/none.png) [escape](../../outside.md)"));

        var problems = DocsLinkChecker.Check(_scratch, [page]);

        Assert.Equal(
            [
                "docs/page.md:1: planned.md (no such file or folder)",
                "docs/page.md:6: missing.md (no such file or folder)",
                "docs/page.md:6: target.md#nope (no heading with anchor #nope)",
                "docs/page.md:6: img/none.png (no such file or folder)",
                "docs/page.md:6: ../../outside.md (outside the repository)",
            ],
            problems);
    }

    [Theory]
    [InlineData("Train the default model from a seed (`pretrain`)", "train-the-default-model-from-a-seed-pretrain")]
    [InlineData("Long route: stability, memory, speed", "long-route-stability-memory-speed")]
    [InlineData("`edgeinfinite.json`", "edgeinfinitejson")]
    public void Slug_Heading_MatchesGitHubAnchor(string heading, string expected) =>
        Assert.Equal(expected, MarkdownLinks.Slug(heading));

    public void Dispose()
    {
        if (Directory.Exists(_scratch))
        {
            Directory.Delete(_scratch, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeInfinite.SemanticKernel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No EdgeInfinite.SemanticKernel.sln above '{AppContext.BaseDirectory}'.");
    }
}
