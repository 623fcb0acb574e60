using EdgeInfinite.Onnx.Generation;

namespace EdgeInfinite.Onnx.Tests;

public sealed class StopSequenceMatcherTests
{
    [Fact]
    public void Push_StopSplitAcrossPieces_CutsBeforeStopAndNeverEmitsPartOfIt()
    {
        var matcher = new StopSequenceMatcher(["<|end|>"]);

        var a = matcher.Push("Hello <|");
        var b = matcher.Push("en");
        var c = matcher.Push("d|> tail");

        Assert.Equal(("Hello ", false), a);
        Assert.Equal((string.Empty, false), b);
        Assert.Equal((string.Empty, true), c);
    }

    [Fact]
    public void Push_PrefixThatDoesNotComplete_IsReleased()
    {
        var matcher = new StopSequenceMatcher(["STOP"]);

        var a = matcher.Push("ST");
        var b = matcher.Push("AY");

        Assert.Equal((string.Empty, false), a);
        Assert.Equal(("STAY", false), b);
        Assert.Equal(string.Empty, matcher.Flush());
    }

    [Fact]
    public void Push_TwoStops_EarliestWins()
    {
        var matcher = new StopSequenceMatcher(["bb", "a"]);

        Assert.Equal(("x", true), matcher.Push("xabb"));
    }
}
