using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>Damaged or missing package files fail with an exception that names the culprit, never a crash.</summary>
public sealed class PackageLoadingBadInputTests(ValidPackage package) : IClassFixture<ValidPackage>, IDisposable
{
    private readonly TempFolder _temp = new();

    [Fact]
    public void Load_ValidPackageCopy_RunsIdPrompt()
    {
        string dir = package.CopyTo(_temp.Combine("package"));

        using var model = EdgeInfiniteModel.Load(dir);
        using var state = model.CreateState(Route.Short, 3);
        var logits = state.Append([1, 2, 3]);

        Assert.Equal(package.Model.Spec.VocabSize, logits.Length);
        Assert.Equal(package.Model.Spec.ToArchitecture(), ModelPackage.Open(dir).Config.Architecture);
    }

    [Fact]
    public void Load_MissingFolder_ThrowsDirectoryNotFoundNamingFolder()
    {
        string dir = _temp.Combine("no-such-package");

        var ex = Assert.Throws<DirectoryNotFoundException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingConfigFile_ThrowsFileNotFoundNamingConfigFile()
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        File.Delete(Path.Combine(dir, PackageConfig.FileName));

        var ex = Assert.Throws<FileNotFoundException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains("edgeinfinite.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("edgeinfinite.onnx")]
    [InlineData("model.onnx.data")]
    public void Load_MissingPackageFile_ThrowsFileNotFoundNamingFile(string file)
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        File.Delete(Path.Combine(dir, file));

        var ex = Assert.Throws<FileNotFoundException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains($"'{file}'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(dir, file), ex.FileName);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public void Load_TruncatedWeights_ThrowsNamingPackageAndWeights(double keepFraction)
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        string weights = Path.Combine(dir, "model.onnx.data");
        PackageCopy.Truncate(weights, (long)(new FileInfo(weights).Length * keepFraction));

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
        Assert.Contains("model.onnx.data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TruncatedChunkGraph_ThrowsNamingPackageAndGraph()
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        string graph = Path.Combine(dir, "edgeinfinite.onnx");
        PackageCopy.Truncate(graph, new FileInfo(graph).Length / 2);

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains(dir, ex.Message, StringComparison.Ordinal);
        Assert.Contains("edgeinfinite.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfigNotJson_ThrowsInvalidDataNamingConfigFile()
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        string config = Path.Combine(dir, PackageConfig.FileName);
        File.WriteAllText(config, File.ReadAllText(config)[..40]);

        AssertBothLoadersThrow(dir, "edgeinfinite.json");
    }

    [Theory]
    [InlineData("", "speculativeDecoding")]
    [InlineData("architecture", "slidingWindow")]
    [InlineData("longRoute", "windowSize")]
    public void Load_ConfigWithUnknownField_ThrowsInvalidDataNamingField(string parent, string field)
    {
        string dir = EditConfig(root => (parent.Length == 0 ? root : root[parent]!.AsObject())[field] = 1);

        AssertBothLoadersThrow(dir, field);
    }

    [Fact]
    public void Load_ConfigFormatVersion99_ThrowsInvalidDataNamingFormatVersion()
    {
        string dir = EditConfig(root => root["formatVersion"] = 99);

        var ex = AssertBothLoadersThrow(dir, "formatVersion");

        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WindowTokensBelowSegmentTokens_ThrowsInvalidDataNamingWindowTokens()
    {
        string dir = EditConfig(root =>
        {
            root["longRoute"]!["windowTokens"] = 128;
            root["longRoute"]!["segmentTokens"] = 256;
        });

        AssertBothLoadersThrow(dir, "longRoute.windowTokens");
    }

    [Fact]
    public void Load_UnknownFeatureMap_ThrowsInvalidDataNamingFeatureMap()
    {
        string dir = EditConfig(root => root["longRoute"]!["featureMap"] = "softmax");

        AssertBothLoadersThrow(dir, "featureMap");
    }

    [Fact]
    public void Load_ConfigWithoutFeatureMap_UsesEluPlusOne()
    {
        string dir = EditConfig(root => root["longRoute"]!.AsObject().Remove("featureMap"));

        Assert.Equal(MemoryFeatureMap.EluPlusOne, ModelPackage.Open(dir).Config.LongRoute.FeatureMap);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-2.0)]
    [InlineData(17.0)]
    public void Load_FeatureScaleOutOfRange_ThrowsInvalidDataNamingFeatureScale(double scale)
    {
        string dir = EditConfig(root => root["longRoute"]!["featureScale"] = scale);

        AssertBothLoadersThrow(dir, "longRoute.featureScale");
    }

    [Fact]
    public void Load_ConfigWithoutFeatureScale_UsesDefaultScale()
    {
        string dir = EditConfig(root => root["longRoute"]!.AsObject().Remove("featureScale"));

        Assert.Equal(ExponentialFeatures.DefaultScale, ModelPackage.Open(dir).Config.LongRoute.FeatureScale);
    }

    public void Dispose() => _temp.Dispose();

    private static InvalidDataException AssertBothLoadersThrow(string dir, string culprit)
    {
        var open = Assert.Throws<InvalidDataException>(() => ModelPackage.Open(dir));
        var load = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));
        Assert.Contains(culprit, open.Message, StringComparison.Ordinal);
        Assert.Contains(culprit, load.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir, "edgeinfinite.json"), load.Message, StringComparison.Ordinal);
        return load;
    }

    private string EditConfig(Action<JsonObject> edit)
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        string path = Path.Combine(dir, PackageConfig.FileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
        return dir;
    }
}
