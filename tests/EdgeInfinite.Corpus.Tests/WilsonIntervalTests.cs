using EdgeInfinite.Corpus.Recall;

namespace EdgeInfinite.Corpus.Tests;

public sealed class WilsonIntervalTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(36)]
    public void Of_NoSuccess_UpperBoundIsZSquaredOverNPlusZSquared(int n)
    {
        double z2 = WilsonInterval.Z95 * WilsonInterval.Z95;

        var ci = WilsonInterval.Of(0, n);

        Assert.Equal(0, ci.Low);
        Assert.Equal(z2 / (n + z2), ci.High, 12);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(12)]
    public void Of_AllSuccesses_LowerBoundIsNOverNPlusZSquared(int n)
    {
        double z2 = WilsonInterval.Z95 * WilsonInterval.Z95;

        var ci = WilsonInterval.Of(n, n);

        Assert.Equal(n / (n + z2), ci.Low, 12);
        Assert.Equal(1, ci.High);
    }

    [Theory]
    // Reference values of the Wilson score interval at z = 1.96 (95%), to four decimals.
    [InlineData(5, 10, 0.2366, 0.7634)]
    [InlineData(0, 12, 0.0, 0.2425)]
    [InlineData(6, 12, 0.2538, 0.7462)]
    [InlineData(10, 12, 0.5520, 0.9530)]
    [InlineData(81, 263, 0.2553, 0.3662)]
    public void Of_KnownCounts_MatchesReferenceBounds(int successes, int trials, double low, double high)
    {
        var ci = WilsonInterval.Of(successes, trials);

        Assert.Equal(low, ci.Low, 4);
        Assert.Equal(high, ci.High, 4);
    }

    [Fact]
    public void Of_HalfSuccesses_SymmetricAroundOneHalf()
    {
        var ci = WilsonInterval.Of(18, 36);

        Assert.Equal(1, ci.Low + ci.High, 12);
    }

    [Theory]
    [InlineData(-1, 10)]
    [InlineData(11, 10)]
    [InlineData(0, 0)]
    public void Of_CountsOutOfRange_Throws(int successes, int trials)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WilsonInterval.Of(successes, trials));
    }

    [Fact]
    public void Wilson95_SkippedCell_IsNullRunCellIsTheInterval()
    {
        Assert.Null(new RecallResult(RecallMode.Short, 9000, 0.5, 0, 0, RecallEvaluator.OverMaxPositions).Wilson95);
        Assert.Equal(WilsonInterval.Of(7, 12), new RecallResult(RecallMode.Long, 450, 0.5, 12, 7).Wilson95);
    }
}
