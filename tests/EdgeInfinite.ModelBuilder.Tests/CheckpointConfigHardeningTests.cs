using System.Diagnostics;
using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Tests.Support;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>A checkpoint's <c>config.json</c> with absurd or NaN-producing values fails fast, naming the field.</summary>
public sealed class CheckpointConfigHardeningTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly TinyModel _model = TinyModel.Create(FamilyCases.Mistral.Spec);

    [Theory]
    [InlineData("num_hidden_layers", int.MaxValue)]
    [InlineData("vocab_size", int.MaxValue)]
    [InlineData("intermediate_size", int.MaxValue)]
    [InlineData("head_dim", int.MaxValue)]
    [InlineData("max_position_embeddings", int.MaxValue)]
    [InlineData("max_position_embeddings", 100_000_000)]
    public void Convert_HugeValue_FailsFastNamingField(string field, int value)
    {
        var config = HfConfigJson.Create(_model.Spec);
        config[field] = value;
        var clock = Stopwatch.StartNew();

        var ex = Fails(config);

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        Assert.Contains("config.json", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Theory]
    [InlineData("rms_norm_eps", -1e-5)]
    [InlineData("rope_theta", 0.0)]
    [InlineData("rope_theta", -1.0)]
    public void Convert_NaNProducingValue_ThrowsNamingField(string field, double value)
    {
        var config = HfConfigJson.Create(_model.Spec);
        config[field] = value;

        var ex = Fails(config);

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-8.0)]
    public void Convert_RopeScalingFactorNotPositive_ThrowsNamingFactor(double factor)
    {
        var config = HfConfigJson.Create(_model.Spec);
        config["rope_scaling"] = new JsonObject { ["rope_type"] = "llama3", ["factor"] = factor };

        var ex = Fails(config);

        Assert.Contains("rope_scaling.factor", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _temp.Dispose();

    private InvalidDataException Fails(JsonObject config)
    {
        string checkpoint = _temp.Combine("hf-" + Guid.NewGuid().ToString("N"));
        CheckpointFolder.Write(checkpoint, config, HfTensorLayout.Tensors(_model), sharded: false);
        string parent = _temp.CreateFolder("out-" + Guid.NewGuid().ToString("N"));
        var ex = Assert.Throws<InvalidDataException>(() => new PackageBuilder().Convert(checkpoint, Path.Combine(parent, "package")));
        Assert.Empty(Directory.GetFileSystemEntries(parent));
        return ex;
    }
}
