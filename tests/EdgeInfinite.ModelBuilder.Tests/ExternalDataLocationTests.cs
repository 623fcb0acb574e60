using EdgeInfinite.ModelBuilder.Packaging;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Tests;

/// <summary>
/// A chunk graph's external-data entries come from the package: hostile offsets and lengths end in one
/// <see cref="InvalidDataException"/> naming the graph, the initializer and the entry (before: long.Parse's
/// "The input string '…' was not in a correct format", or a dictionary's "An item with the same key has already been added").
/// </summary>
public sealed class ExternalDataLocationTests
{
    private const string Graph = "pkg/edgeinfinite.onnx";

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    public void Of_OffsetNotANonNegativeInteger_ThrowsNamingGraphInitializerAndEntry(string offset)
    {
        var tensor = Tensor(("offset", offset), ("length", "16"));

        var ex = Assert.Throws<InvalidDataException>(() => ExternalDataLocation.Of(tensor, Graph, 1024));

        Assert.Contains(Graph, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'w'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'offset'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_OffsetPlusLengthOverflowsLong_ThrowsNamingTheRange()
    {
        var tensor = Tensor(("offset", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("length", "16"));

        var ex = Assert.Throws<InvalidDataException>(() => ExternalDataLocation.Of(tensor, Graph, 1024));

        Assert.Contains("leaves the 1024-byte weights file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_RepeatedEntry_ThrowsNamingTheEntry()
    {
        var tensor = Tensor(("offset", "0"), ("length", "16"), ("length", "32"));

        var ex = Assert.Throws<InvalidDataException>(() => ExternalDataLocation.Of(tensor, Graph, 1024));

        Assert.Contains("'length' more than once", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_MissingLength_ThrowsNamingTheInitializer()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ExternalDataLocation.Of(Tensor(("offset", "0")), Graph, 1024));

        Assert.Contains("'w' of 'pkg/edgeinfinite.onnx' is not stored as external data", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_RangeAtTheEndOfTheFile_ReturnsIt()
    {
        Assert.Equal((1008L, 16L), ExternalDataLocation.Of(Tensor(("offset", "1008"), ("length", "16")), Graph, 1024));
    }

    private static TensorProto Tensor(params (string Key, string Value)[] entries)
    {
        var tensor = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
        foreach (var (key, value) in entries)
        {
            tensor.ExternalData.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return tensor;
    }
}
