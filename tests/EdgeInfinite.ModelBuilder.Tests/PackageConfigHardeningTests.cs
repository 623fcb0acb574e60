using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// Hostile <c>edgeinfinite.json</c> values end in one <see cref="InvalidDataException"/> naming the file and field:
/// null sections, sums that overflow, huge dimensions, NaN-producing settings, file names that leave the folder, and
/// config files that are huge or not regular files.
/// </summary>
public sealed class PackageConfigHardeningTests(ValidPackage package) : IClassFixture<ValidPackage>, IDisposable
{
    private readonly TempFolder _temp = new();

    [Theory]
    [InlineData("tokens")]
    [InlineData("longRoute")]
    [InlineData("files")]
    [InlineData("architecture")]
    public void Load_NullSection_ThrowsNamingSection(string section)
    {
        string dir = EditConfig(root => root[section] = null);

        AssertRefused(dir, section);
    }

    [Theory]
    [InlineData("longRoute.featureScale")]
    [InlineData("longRoute.epsilon")]
    [InlineData("architecture.ropeTheta")]
    [InlineData("architecture.rmsNormEps")]
    public void ToJson_NonFiniteValue_ThrowsNamingFileAndField(string field)
    {
        var config = PackageConfig.Load(Path.Combine(package.Directory, PackageConfig.FileName));
        config = field switch
        {
            "longRoute.featureScale" => config with { LongRoute = config.LongRoute with { FeatureScale = double.PositiveInfinity } },
            "longRoute.epsilon" => config with { LongRoute = config.LongRoute with { Epsilon = double.NaN } },
            "architecture.ropeTheta" => config with { Architecture = config.Architecture with { RopeTheta = double.PositiveInfinity } },
            _ => config with { Architecture = config.Architecture with { RmsNormEps = double.NegativeInfinity } },
        };

        var ex = Assert.Throws<InvalidDataException>(config.ToJson);

        Assert.Contains(PackageConfig.FileName, ex.Message, StringComparison.Ordinal);
        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NullEosTokenIds_ThrowsNamingField()
    {
        string dir = EditConfig(root => root["tokens"]!["eosTokenIds"] = null);

        AssertRefused(dir, "tokens.eosTokenIds");
    }

    [Theory]
    [InlineData("sinkTokens", 2147483000)]
    [InlineData("windowTokens", 2147483584)]
    public void Load_LongRouteSumOverflowsInt_ThrowsNamingField(string field, int value)
    {
        string dir = EditConfig(root => root["longRoute"]![field] = value);

        AssertRefused(dir, "longRoute.");
    }

    [Theory]
    [InlineData("headDim", 1 << 20)]
    [InlineData("numHeads", 1 << 20)]
    [InlineData("vocabSize", int.MaxValue)]
    [InlineData("numLayers", int.MaxValue)]
    [InlineData("hiddenSize", int.MaxValue)]
    public void Load_HugeDimension_ThrowsNamingField(string field, int value)
    {
        string dir = EditConfig(root => root["architecture"]![field] = value);

        AssertRefused(dir, "architecture.");
    }

    [Theory]
    [InlineData("architecture", "ropeTheta", 0.0)]
    [InlineData("architecture", "ropeTheta", -10000.0)]
    [InlineData("architecture", "rmsNormEps", -1e-5)]
    [InlineData("architecture", "rmsNormEps", 1e-50)]
    [InlineData("longRoute", "epsilon", 1e-50)]
    public void Load_NaNProducingSetting_ThrowsNamingField(string section, string field, double value)
    {
        string dir = EditConfig(root => root[section]![field] = value);

        AssertRefused(dir, $"{section}.{field}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-2.0)]
    public void Load_RopeScalingFactorNotPositive_ThrowsNamingField(double factor)
    {
        string dir = EditConfig(root => root["architecture"]!["ropeScaling"] = new JsonObject
        {
            ["factor"] = factor, ["lowFreqFactor"] = 1.0, ["highFreqFactor"] = 4.0, ["originalMaxPositionEmbeddings"] = 64,
        });

        AssertRefused(dir, "ropeScaling.factor");
    }

    [Theory]
    [InlineData("chunkGraph", "../outside.onnx")]
    [InlineData("chunkGraph", "/etc/passwd")]
    [InlineData("weights", "../../model.onnx.data")]
    [InlineData("tokenizer", "sub/../../tokenizer.json")]
    [InlineData("genAiConfig", "/tmp/genai_config.json")]
    public void Load_FileNameLeavesFolder_ThrowsNamingField(string field, string name)
    {
        string dir = EditConfig(root => root["files"]![field] = name);

        AssertRefused(dir, $"files.{field}");
    }

    [Fact]
    public void Load_ChunkGraphIsALinkOutside_ThrowsNamingField()
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        string outside = _temp.Combine("elsewhere.onnx");
        File.Move(Path.Combine(dir, "edgeinfinite.onnx"), outside);
        File.CreateSymbolicLink(Path.Combine(dir, "edgeinfinite.onnx"), outside);

        var ex = AssertRefused(dir, "files.chunkGraph");

        Assert.Contains("resolves outside", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfigLargerThanLimit_ThrowsWithoutReadingIt()
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        using (var f = new FileStream(Path.Combine(dir, PackageConfig.FileName), FileMode.Append))
        {
            f.SetLength(PackageConfig.MaxFileBytes + 1L);
        }

        var ex = AssertRefused(dir, "limit");

        Assert.Contains(PackageConfig.MaxFileBytes.ToString("N0", System.Globalization.CultureInfo.CurrentCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Load_ConfigIsAFifo_ThrowsInsteadOfHanging()
    {
        string dir = package.CopyTo(_temp.Combine("package"));
        string config = Path.Combine(dir, PackageConfig.FileName);
        File.Delete(config);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", config))
        {
            mkfifo.WaitForExit();
        }

        var task = Task.Run(() => Assert.Throws<InvalidDataException>(() => ModelPackage.Open(dir)));

        var ex = await task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("not a regular file", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vocabSize", 1, "logits")]
    [InlineData("numLayers", -1, "more layers")]
    [InlineData("numLayers", 1, "past_key_values")]
    [InlineData("headDim", 16, "past_key_values.0.key")]
    public void Load_ConfigDisagreesWithGraph_ThrowsAtLoad(string field, int delta, string culprit)
    {
        string dir = EditConfig(root =>
        {
            var a = root["architecture"]!;
            a[field] = a[field]!.GetValue<int>() + delta;
            if (field == "headDim")
            {
                a["numHeads"] = a["numHeads"]!.GetValue<int>();
            }
        });

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
        Assert.Contains("edgeinfinite.json", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("longRoute", "featureScale", 2.5, "longRoute.featureScale")]
    [InlineData("longRoute", "epsilon", 1e-3, "longRoute.epsilon")]
    [InlineData("architecture", "ropeTheta", 5000.0, "architecture.ropeTheta")]
    public void Load_ConfigEditedAgainstGraphConstants_ThrowsNamingField(string section, string field, double value, string culprit)
    {
        string dir = EditConfig(root => root[section]![field] = value);

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
        Assert.Contains("disagrees", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FeatureMapEditedAgainstGraph_ThrowsNamingFeatureMap()
    {
        string dir = EditConfig(root => root["longRoute"]!["featureMap"] = root["longRoute"]!["featureMap"]!.GetValue<string>() == "exponential" ? "eluPlusOne" : "exponential");

        var ex = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));

        Assert.Contains("longRoute.featureMap", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private static InvalidDataException AssertRefused(string dir, string culprit)
    {
        var open = Assert.Throws<InvalidDataException>(() => ModelPackage.Open(dir));
        var load = Assert.Throws<InvalidDataException>(() => EdgeInfiniteModel.Load(dir));
        Assert.Contains(culprit, open.Message, StringComparison.Ordinal);
        Assert.Contains(culprit, load.Message, StringComparison.Ordinal);
        Assert.Contains("edgeinfinite.json", load.Message, StringComparison.Ordinal);
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
