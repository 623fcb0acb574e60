using EdgeInfinite.ModelBuilder.Tests.Support;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// <c>--overwrite</c> replaces only a package folder or an empty folder: a folder of other files, the checkpoint itself,
/// its parent, a file or a link are refused before anything is deleted.
/// </summary>
public sealed class ConverterOverwriteSafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _checkpoint;
    private readonly ConversionOptions _overwrite = new() { Overwrite = true };

    public ConverterOverwriteSafetyTests()
    {
        _checkpoint = _temp.Combine("hf");
        TinyModel.Create(FamilyCases.Mistral.Spec).WriteCheckpoint(_checkpoint);
    }

    [Fact]
    public void Convert_OverwriteFolderOfOtherFiles_RefusesAndDeletesNothing()
    {
        string target = _temp.CreateFolder("documents");
        File.WriteAllText(Path.Combine(target, "thesis.txt"), "years of work");

        var ex = Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, target, _overwrite));

        Assert.Contains("not an EdgeInfinite package", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was deleted", ex.Message, StringComparison.Ordinal);
        Assert.Equal("years of work", File.ReadAllText(Path.Combine(target, "thesis.txt")));
        Assert.DoesNotContain(Directory.GetDirectories(_temp.Path), d => Path.GetFileName(d).Contains(".partial-", StringComparison.Ordinal));
    }

    [Fact]
    public void Convert_OverwriteTheCheckpointItself_RefusesAndKeepsCheckpoint()
    {
        var before = Directory.GetFiles(_checkpoint).Order().ToArray();

        var ex = Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, _checkpoint, _overwrite));

        Assert.Contains("checkpoint", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(_checkpoint).Order().ToArray());
    }

    [Fact]
    public void Convert_OverwriteTheCheckpointsParent_RefusesAndKeepsEverything()
    {
        var before = Directory.GetFileSystemEntries(_temp.Path, "*", SearchOption.AllDirectories).Order().ToArray();

        Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, _temp.Path, _overwrite));

        Assert.Equal(before, Directory.GetFileSystemEntries(_temp.Path, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    [Fact]
    public void Convert_OverwriteAFile_RefusesAndKeepsIt()
    {
        string target = _temp.Combine("notes.txt");
        File.WriteAllText(target, "keep");

        var ex = Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, target, _overwrite));

        Assert.Contains("is a file", ex.Message, StringComparison.Ordinal);
        Assert.Equal("keep", File.ReadAllText(target));
    }

    [Fact]
    public void Convert_OverwriteALinkToAFolder_RefusesAndKeepsTheFolder()
    {
        string real = _temp.CreateFolder("real");
        File.WriteAllText(Path.Combine(real, "edgeinfinite.json"), "{\"formatVersion\":1,\"architecture\":{}}");
        string link = _temp.Combine("link");
        Directory.CreateSymbolicLink(link, real);

        var ex = Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, link, _overwrite));

        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(real, "edgeinfinite.json")));
    }

    [Fact]
    public void Convert_OverwriteAFolderWithASubfolder_RefusesEvenWithAConfig()
    {
        string target = _temp.CreateFolder("mixed");
        File.WriteAllText(Path.Combine(target, "edgeinfinite.json"), "{\"formatVersion\":1,\"architecture\":{}}");
        Directory.CreateDirectory(Path.Combine(target, "photos"));

        Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, target, _overwrite));

        Assert.True(Directory.Exists(Path.Combine(target, "photos")));
    }

    [Fact]
    public void Convert_OverwriteAnEmptyFolder_WritesThePackage()
    {
        string target = _temp.CreateFolder("empty");

        var config = new PackageBuilder().Convert(_checkpoint, target, _overwrite);

        Assert.Equal(config.Revision, Onnx.Packaging.PackageConfig.Load(Path.Combine(target, "edgeinfinite.json")).Revision);
    }

    [Fact]
    public void Convert_OverwriteAPackage_ReplacesIt()
    {
        string target = _temp.Combine("package");
        var first = new PackageBuilder().Convert(_checkpoint, target);

        var second = new PackageBuilder().Convert(_checkpoint, target, _overwrite);

        Assert.NotEqual(first.Revision, second.Revision);
        Assert.Equal(second.Revision, Onnx.Packaging.PackageConfig.Load(Path.Combine(target, "edgeinfinite.json")).Revision);
    }

    [Fact]
    public void Convert_CancelledWhileReadingWeights_RemovesTheStagingFolder()
    {
        string parent = _temp.CreateFolder("out");
        using var cts = new CancellationTokenSource();

        // Cancel as soon as the converter reports weight progress, i.e. after the staging folder exists.
        var progress = new CancelOnStage(cts, "reading weights");
        Assert.ThrowsAny<OperationCanceledException>(() => new PackageBuilder().Convert(_checkpoint, Path.Combine(parent, "package"), progress: progress, cancellationToken: cts.Token));

        Assert.True(progress.SawStaging);
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    public void Dispose() => _temp.Dispose();

    private sealed class CancelOnStage(CancellationTokenSource cts, string stage) : IProgress<ConversionProgress>
    {
        public bool SawStaging { get; private set; }

        public void Report(ConversionProgress value)
        {
            if (value.Stage != stage || cts.IsCancellationRequested)
            {
                return;
            }

            SawStaging = true;
            cts.Cancel();
        }
    }
}
