namespace EdgeInfinite.Training.Tests;

public sealed class TokenStreamDataTests
{
    [Fact]
    public void Batch_SameStep_SameSequencesCutFromTheTrainingPart()
    {
        var stream = Enumerable.Range(0, 1000).ToArray();
        var data = new TokenStreamData(stream, seed: 4);

        var a = data.Batch(7, 3, 50);
        var b = new TokenStreamData(stream, seed: 4).Batch(7, 3, 50);
        var other = data.Batch(8, 3, 50);

        Assert.Equal(a, b);
        Assert.NotEqual(a, other);
        foreach (var row in a.Concat(other))
        {
            Assert.Equal(Enumerable.Range(row[0], 50), row);   // a contiguous slice of the stream
            Assert.True(row[^1] < 900, "training sequences stay out of the held-out last tenth");
        }
    }

    [Fact]
    public void Batch_HeldOutStep_CutFromTheLastTenth()
    {
        var data = new TokenStreamData(Enumerable.Range(0, 1000).ToArray(), seed: 4);

        var heldOut = data.Batch(GateTrainer.HeldOutStep, 4, 50);

        Assert.All(heldOut, row => Assert.True(row[0] >= 900 && row[^1] < 1000));
    }

    [Fact]
    public void Batch_StreamShorterThanTwoSequences_ThrowsNamingTheMinimum()
    {
        var data = new TokenStreamData(Enumerable.Range(0, 150).ToArray(), seed: 0);

        var ex = Assert.Throws<ArgumentException>(() => data.Batch(0, 1, 100));

        Assert.Contains("at least 200", ex.Message, StringComparison.Ordinal);
    }
}
