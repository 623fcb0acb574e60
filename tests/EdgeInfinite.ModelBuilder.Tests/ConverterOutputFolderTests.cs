using System.Text.Json;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>How the converter treats an existing output folder, and a checkpoint that ships no tokenizer.</summary>
public sealed class ConverterOutputFolderTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly string _checkpoint;
    private readonly string _parent;
    private readonly string _target;

    public ConverterOutputFolderTests()
    {
        _checkpoint = _temp.Combine("hf");
        TinyModel.Create(FamilyCases.Mistral.Spec).WriteCheckpoint(_checkpoint);
        _parent = _temp.CreateFolder("out");
        _target = Path.Combine(_parent, "package");
    }

    [Fact]
    public void Convert_ExistingOutputFolderWithoutOverwrite_ThrowsIOExceptionAndKeepsIt()
    {
        Directory.CreateDirectory(_target);
        File.WriteAllText(Path.Combine(_target, "mine.txt"), "keep me");

        var ex = Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, _target));

        Assert.Contains(_target, ex.Message, StringComparison.Ordinal);
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(_target, "mine.txt")));
        Assert.Equal(["mine.txt"], Directory.GetFileSystemEntries(_target).Select(Path.GetFileName));
        Assert.Equal(["package"], Directory.GetFileSystemEntries(_parent).Select(Path.GetFileName));
    }

    [Fact]
    public void Convert_ExistingOutputFileWithoutOverwrite_ThrowsIOExceptionAndKeepsIt()
    {
        File.WriteAllText(_target, "a file, not a folder");

        var ex = Assert.Throws<IOException>(() => new PackageBuilder().Convert(_checkpoint, _target));

        Assert.Contains(_target, ex.Message, StringComparison.Ordinal);
        Assert.Equal("a file, not a folder", File.ReadAllText(_target));
    }

    [Fact]
    public void Convert_ExistingOutputFolderWithOverwrite_ReplacesItWithoutLeftovers()
    {
        new PackageBuilder().Convert(_checkpoint, _target);
        File.WriteAllText(Path.Combine(_target, "mine.txt"), "old");

        new PackageBuilder().Convert(_checkpoint, _target, new ConversionOptions { Overwrite = true });

        Assert.False(File.Exists(Path.Combine(_target, "mine.txt")));
        Assert.True(File.Exists(Path.Combine(_target, "edgeinfinite.json")));
        Assert.Equal(["package"], Directory.GetFileSystemEntries(_parent).Select(Path.GetFileName));
        using var model = EdgeInfiniteModel.Load(_target);
    }

    [Fact]
    public void Convert_CheckpointWithoutTokenizer_WritesNullTokenizerAndIdPromptsWork()
    {
        new PackageBuilder().Convert(_checkpoint, _target);

        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_target, "edgeinfinite.json"))))
        {
            Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("files").GetProperty("tokenizer").ValueKind);
        }

        Assert.False(File.Exists(Path.Combine(_target, "tokenizer.json")));
        using var model = EdgeInfiniteModel.Load(_target);
        var ex = Assert.Throws<InvalidOperationException>(() => model.Tokenizer);
        Assert.Contains("tokenizer.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_target, ex.Message, StringComparison.Ordinal);
        using var state = model.CreateState(Route.Short, 3);
        var logits = state.Append([5, 6, 7]);
        Assert.Equal(FamilyCases.Mistral.Spec.VocabSize, logits.Length);
        Assert.All(logits, l => Assert.True(float.IsFinite(l)));
    }

    public void Dispose() => _temp.Dispose();
}
