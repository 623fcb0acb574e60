using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.ModelBuilder.Quantization;
using EdgeInfinite.Onnx.Packaging;
using C = EdgeInfinite.Onnx.Packaging.ChunkGraphContract;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// A quantized package's chunk graph takes <c>inputs_embeds</c>; the engine reads the rows from the weights file. They
/// must be exactly the rows <c>GatherBlockQuantized</c> would give, and bad metadata must fail by name.
/// </summary>
public sealed class QuantizedEmbeddingTests(QuantizedPackages packages) : IClassFixture<QuantizedPackages>
{
    [Theory]
    [InlineData("qwen2", WeightPrecision.Int4)]
    [InlineData("qwen2", WeightPrecision.Int8)]
    [InlineData("llama", WeightPrecision.Int4)]
    public void ReadAll_QuantizedPackage_EqualsIndependentBlockDequantizationBitwise(string arch, WeightPrecision precision)
    {
        var weights = WeightSettings.For(precision);
        var package = ModelPackage.Open(packages.Get(arch, weights));
        var a = package.Config.Architecture;
        var checkpoint = TransformerWeightsReader.Read(HfCheckpoint.Open(HfFixture.Load(arch).Directory));
        var expected = BlockQuantizer.Quantize(checkpoint.Embedding, a.VocabSize, a.HiddenSize, weights.Bits, weights.BlockSize).Dequantize();
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(package.ChunkGraphPath);
        Assert.True(session.InputMetadata.ContainsKey(C.InputsEmbeds));
        Assert.False(session.InputMetadata.ContainsKey(C.InputIds));

        using var embedding = QuantizedEmbedding.Open(package, session.ModelMetadata.CustomMetadataMap);
        var actual = embedding.ReadAll();

        Assert.Equal(expected, actual);
        var rows = new float[2 * a.HiddenSize];
        embedding.Lookup([a.VocabSize - 1, 0], rows);
        Assert.Equal(expected.AsSpan((a.VocabSize - 1) * a.HiddenSize, a.HiddenSize).ToArray(), rows.AsSpan(0, a.HiddenSize).ToArray());
        Assert.Equal(expected.AsSpan(0, a.HiddenSize).ToArray(), rows.AsSpan(a.HiddenSize).ToArray());
    }

    [Fact]
    public void Open_MissingOffset_ThrowsNamingTheKey()
    {
        var package = ModelPackage.Open(packages.Get("qwen2", WeightSettings.For(WeightPrecision.Int4)));
        var metadata = new Dictionary<string, string> { [C.EmbeddingDataOffsetKey] = "0" };

        var ex = Assert.Throws<InvalidDataException>(() => QuantizedEmbedding.Open(package, metadata));

        Assert.Contains(C.EmbeddingScalesOffsetKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains("edgeinfinite.onnx", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("99999999999")]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData("")]
    public void Open_OffsetOutsideWeightsFile_ThrowsNamingTheKeyAndTheFile(string offset)
    {
        var package = ModelPackage.Open(packages.Get("qwen2", WeightSettings.For(WeightPrecision.Int4)));
        var metadata = new Dictionary<string, string> { [C.EmbeddingDataOffsetKey] = offset, [C.EmbeddingScalesOffsetKey] = "0" };

        var ex = Assert.Throws<InvalidDataException>(() => QuantizedEmbedding.Open(package, metadata));

        Assert.Contains(C.EmbeddingDataOffsetKey, ex.Message, StringComparison.Ordinal);
        Assert.Contains(package.Config.Files.Weights, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_Float32Package_ThrowsNamingTheWeightsField()
    {
        var package = ModelPackage.Open(packages.Get("qwen2", WeightSettings.Float32));

        var ex = Assert.Throws<InvalidDataException>(() => QuantizedEmbedding.Open(package, new Dictionary<string, string>()));

        Assert.Contains("'weights.precision'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lookup_IdOutsideVocabulary_ThrowsArgumentOutOfRange()
    {
        var package = ModelPackage.Open(packages.Get("qwen2", WeightSettings.For(WeightPrecision.Int4)));
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(package.ChunkGraphPath);
        using var embedding = QuantizedEmbedding.Open(package, session.ModelMetadata.CustomMetadataMap);
        var rows = new float[embedding.HiddenSize];

        Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Lookup([embedding.VocabSize], rows));
        Assert.Throws<ArgumentOutOfRangeException>(() => embedding.Lookup([-1], rows));
    }
}
