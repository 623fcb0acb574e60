using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Trainers;

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

    [Fact]
    public void Weights_SameStep_CutAtTheSameOffsetsAsTheIds()
    {
        var stream = Enumerable.Range(0, 1000).ToArray();
        var data = new TokenStreamData(stream, seed: 5, sampleStarts: [0, 130, 400, 777], weights: stream.Select(i => i * 0.5f).ToArray());

        var ids = data.Batch(3, 4, 60);
        var weights = data.Weights(3, 4, 60)!;

        Assert.Equal(ids.Select(row => row.Select(i => i * 0.5f)), weights);
        Assert.Null(new TokenStreamData(stream, seed: 5).Weights(3, 4, 60));
    }

    [Theory]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Constructor_BadWeight_ThrowsNamingTheToken(float bad)
    {
        var weights = Enumerable.Repeat(1f, 100).ToArray();
        weights[42] = bad;

        var ex = Assert.Throws<ArgumentException>(() => new TokenStreamData(new int[100], 0, weights: weights));

        Assert.Contains("Weight 42", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_WeightsOfAnotherLength_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TokenStreamData(new int[100], 0, weights: new float[99]));

        Assert.Contains("99 weights", ex.Message, StringComparison.Ordinal);
    }
}
