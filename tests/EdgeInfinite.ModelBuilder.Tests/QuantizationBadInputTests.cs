using System.Security.Cryptography;
using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Packaging;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// Precision is checked everywhere it can go wrong: an unknown precision, a block size that does not divide a
/// dimension, a config that does not match its graph; each fails with one exception naming the file and field.
/// The quantize verb leaves its source untouched and carries everything else over.
/// </summary>
public sealed class QuantizationBadInputTests(ValidPackage package) : IClassFixture<ValidPackage>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Convert_BlockSizeNotDividingHiddenSize_ThrowsNamingBlockSizeAndLeavesNothing()
    {
        string hf = _temp.Combine("hf");
        package.Model.WriteCheckpoint(hf);
        string parent = _temp.CreateFolder("out");

        var ex = Assert.Throws<InvalidDataException>(() => new PackageBuilder().Convert(hf, Path.Combine(parent, "package"), new ConversionOptions { Weights = WeightSettings.For(WeightPrecision.Int4, blockSize: 128) }));

        Assert.Contains("weights.blockSize = 128", ex.Message, StringComparison.Ordinal);
        Assert.Contains("hiddenSize 64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("edgeinfinite.json", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(parent));
    }

    [Theory]
    [InlineData(24)]
    [InlineData(8)]
    public void Quantize_BlockSizeNotPowerOfTwoAtLeast16_ThrowsNamingBlockSize(int blockSize)
    {
        var ex = Assert.Throws<InvalidDataException>(() => PackageQuantizer.Quantize(package.Directory, _temp.Combine("q"), WeightSettings.For(WeightPrecision.Int8, blockSize)));

        Assert.Contains($"weights.blockSize = {blockSize}", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("q")));
    }

    [Fact]
    public void ParsePrecision_Unknown_ThrowsArgumentNamingValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => WeightSettings.ParsePrecision("int3"));

        Assert.Contains("'int3'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownPrecisionInConfig_ThrowsInvalidDataNamingWeightsPrecision()
    {
        string dir = EditConfig(package.Directory, root => root["weights"] = new JsonObject { ["precision"] = "int3", ["blockSize"] = 32, ["accuracyLevel"] = 4 });

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains("weights.precision", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(dir, PackageConfig.FileName), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_QuantizedWeightsInFormatVersion1_ThrowsNamingWeightsPrecision()
    {
        string dir = EditConfig(Int4Package(), root => root["formatVersion"] = 1);

        var ex = Assert.Throws<InvalidDataException>(() => ModelPackage.Open(dir));

        Assert.Contains("weights.precision", ex.Message, StringComparison.Ordinal);
        Assert.Contains("formatVersion 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Version1ConfigWithoutWeights_LoadsAsFloat32()
    {
        string dir = EditConfig(package.Directory, root =>
        {
            root["formatVersion"] = 1;
            root.Remove("weights");
        });

        using var model = EdgeInfiniteModel.Load(dir);

        Assert.Equal(WeightPrecision.Fp32, model.Config.Weights.Precision);
        Assert.Equal(1, model.Config.FormatVersion);
    }

    [Fact]
    public void Load_QuantizedGraphWithFloat32Config_ThrowsNamingGraphAndWeightsField()
    {
        string dir = EditConfig(Int4Package(), root => root["weights"] = new JsonObject { ["precision"] = "fp32", ["blockSize"] = 0, ["accuracyLevel"] = 0 });

        var load = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));
        var read = Assert.Throws<InvalidDataException>(() => PackageWeightsReader.Read(dir));

        Assert.Contains("'edgeinfinite.onnx' holds int4 (block size 32, accuracy level 4) weights", load.Message, StringComparison.Ordinal);
        Assert.Contains("field 'weights' says fp32", load.Message, StringComparison.Ordinal);
        Assert.Contains("weights.precision", read.Message, StringComparison.Ordinal);
        Assert.Contains("edgeinfinite.onnx", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Float32GraphWithInt4Config_ThrowsNamingGraphAndWeightsField()
    {
        string dir = EditConfig(package.Directory, root => root["weights"] = new JsonObject { ["precision"] = "int4", ["blockSize"] = 32, ["accuracyLevel"] = 4 });

        var load = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));
        var read = Assert.Throws<InvalidDataException>(() => PackageWeightsReader.Read(dir));

        Assert.Contains("'edgeinfinite.onnx' holds fp32 weights", load.Message, StringComparison.Ordinal);
        Assert.Contains("says int4 (block size 32, accuracy level 4)", load.Message, StringComparison.Ordinal);
        Assert.Contains("_Q4", read.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Int4ConfigWithOtherBlockSizeThanGraph_Throws()
    {
        string dir = EditConfig(Int4Package(), root => root["weights"]!["blockSize"] = 16);

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains("block size 32", ex.Message, StringComparison.Ordinal);
        Assert.Contains("block size 16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quantize_AlreadyQuantizedSource_ThrowsArgumentNamingPrecision()
    {
        var ex = Assert.Throws<ArgumentException>(() => PackageQuantizer.Quantize(Int4Package(), _temp.Combine("again"), WeightSettings.For(WeightPrecision.Int8)));

        Assert.Contains("weights.precision is already int4", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("again")));
    }

    [Fact]
    public void Quantize_GatedPackageWithModelCard_SourceUntouchedGatesAndFilesCarriedOver()
    {
        var a = package.Model.Spec.ToArchitecture();
        var random = new Random(3);
        float[][] gateW = [.. Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Range(0, a.HiddenSize * a.NumHeads).Select(_ => (float)random.NextDouble() - 0.5f).ToArray())];
        float[][] gateB = [.. Enumerable.Range(0, a.NumLayers).Select(_ => Enumerable.Range(0, a.NumHeads).Select(_ => (float)random.NextDouble()).ToArray())];
        string source = _temp.Combine("gated");
        PackageGates.WriteCopy(package.Directory, source, gateW, gateB);
        File.WriteAllText(Path.Combine(source, "MODEL_CARD.md"), "# card\n");
        var before = Hashes(source);
        string target = _temp.Combine("gated-int8");

        var config = PackageQuantizer.Quantize(source, target, WeightSettings.For(WeightPrecision.Int8, accuracyLevel: 0));

        Assert.Equal(before, Hashes(source));
        var read = PackageWeightsReader.Read(target);
        Assert.Equal(gateW, read.GateWeights);
        Assert.Equal(gateB, read.GateBiases);
        Assert.True(read.Config.LongRoute.GatesTrained);
        Assert.Equal(WeightPrecision.Int8, config.Weights.Precision);
        Assert.NotEqual(ModelPackage.Open(source).Config.Revision, config.Revision);
        Assert.Equal("# card\n", File.ReadAllText(Path.Combine(target, "MODEL_CARD.md")));
        Assert.Equal(
            Directory.GetFiles(source).Select(Path.GetFileName).Order(StringComparer.Ordinal),
            Directory.GetFiles(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetDirectories(_temp.Path, ".gated-int8.partial-*"));
        Assert.True(new FileInfo(Path.Combine(target, "model.onnx.data")).Length < new FileInfo(Path.Combine(source, "model.onnx.data")).Length);
    }

    [Fact]
    public void Quantize_IntoItsSource_ThrowsArgument()
    {
        var ex = Assert.Throws<ArgumentException>(() => PackageQuantizer.Quantize(package.Directory, package.Directory, WeightSettings.For(WeightPrecision.Int4), overwrite: true));

        Assert.Contains("new folder", ex.Message, StringComparison.Ordinal);
    }

    private string Int4Package()
    {
        string dir = _temp.Combine("int4-" + Guid.NewGuid().ToString("N"));
        PackageQuantizer.Quantize(package.Directory, dir, WeightSettings.For(WeightPrecision.Int4));
        return dir;
    }

    private string EditConfig(string source, Action<JsonObject> edit)
    {
        string dir = PackageCopy.To(source, _temp.Combine("edited-" + Guid.NewGuid().ToString("N")));
        string path = Path.Combine(dir, PackageConfig.FileName);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
        return dir;
    }

    private static Dictionary<string, string> Hashes(string dir) =>
        Directory.GetFiles(dir).ToDictionary(f => Path.GetFileName(f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))));
}
