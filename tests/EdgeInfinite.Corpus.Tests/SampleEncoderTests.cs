using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Tests;

public sealed class SampleEncoderTests(TrainedTokenizer trained) : IClassFixture<TrainedTokenizer>
{
    [Fact]
    public void Encode_CorpusSamples_IdsEqualGenAiEncodingOfTrainingText()
    {
        var encoder = new SampleEncoder(trained.Managed);
        foreach (var sample in new SyntheticCorpus(new CorpusOptions { Seed = 31 }).Samples(25))
        {
            var encoded = encoder.Encode(sample);

            Assert.Equal(trained.GenAi.Encode(SyntheticCorpus.ToTrainingText(sample)), encoded.Ids);
            Assert.Equal(encoded.Ids.Length, encoded.Targets.Length);
        }
    }

    [Fact]
    public void Encode_PackageTokenizer_SameIdsAndMasksAsTheTrainedTokenizer()
    {
        var managed = new SampleEncoder(trained.Managed);
        var genAi = new SampleEncoder(trained.GenAi);
        foreach (var sample in new SyntheticCorpus(new CorpusOptions { Seed = 33 }).Samples(25))
        {
            var expected = managed.Encode(sample);
            var actual = genAi.Encode(sample);

            Assert.Equal(expected.Ids, actual.Ids);
            Assert.Equal(expected.Targets, actual.Targets);
            Assert.Equal(expected.Answers, actual.Answers);
        }
    }

    [Fact]
    public void Encode_RecallSample_TargetsAreExactlyAssistantContentAndImEnd()
    {
        var encoder = new SampleEncoder(trained.Managed);
        var sample = new SyntheticCorpus(new CorpusOptions { Seed = 32, MaxDistanceTokens = 64 }).Sample(0, TaskKind.FactRecall);

        var encoded = encoder.Encode(sample);

        var learned = encoded.Ids.Where((_, i) => encoded.Targets[i]).ToArray();
        string expected = string.Concat(sample.Messages.Where(m => m.Role == "assistant").Select(m => m.Content + "<|im_end|>"));
        Assert.Equal(expected, trained.Managed.Decode(learned, skipSpecialTokens: false));
        Assert.False(encoded.Targets[^1]);
        // The answer is the value token, "." and <|im_end|>: the value is one token to predict.
        Assert.Equal(sample.Answers[0] + ".<|im_end|>", trained.Managed.Decode(learned[^3..], skipSpecialTokens: false));
    }

    [Theory]
    [InlineData(TaskKind.FactRecall)]
    [InlineData(TaskKind.MultiFactRecall)]
    [InlineData(TaskKind.NeedleRetrieval)]
    public void Encode_RecallSample_AnswersMarkEachRecalledValueAndItsFullStop(TaskKind kind)
    {
        var encoder = new SampleEncoder(trained.Managed);
        var sample = new SyntheticCorpus(new CorpusOptions { Seed = 34, MaxDistanceTokens = 64 }).Sample(3, kind);

        var encoded = encoder.Encode(sample);

        Assert.Equal(encoded.Ids.Length, encoded.Answers.Length);
        var marked = encoded.Ids.Where((_, i) => encoded.Answers[i]).ToArray();
        Assert.Equal(string.Concat(sample.Answers.Select(a => a + ".")), trained.Managed.Decode(marked, skipSpecialTokens: false));
        Assert.All(Enumerable.Range(0, encoded.Ids.Length).Where(i => encoded.Answers[i]), i => Assert.True(encoded.Targets[i]));
    }

    [Fact]
    public void Encode_ShortExchange_MarksNoAnswer()
    {
        var encoder = new SampleEncoder(trained.Managed);
        var sample = new SyntheticCorpus(new CorpusOptions { Seed = 35 }).Sample(1, TaskKind.ShortExchange);

        Assert.DoesNotContain(true, encoder.Encode(sample).Answers);
    }

    [Fact]
    public void CountTokens_ApproximateCounterOnCorpusText_WithinTwoPercentOfTrainedTokenizer()
    {
        foreach (var sample in new SyntheticCorpus(new CorpusOptions { Seed = 33 }).Samples(20))
        {
            double approximate = ApproximateTokenCounter.Instance.CountTokens(sample.Text);
            double exact = trained.Managed.CountTokens(sample.Text);

            Assert.InRange(approximate / exact, 0.98, 1.02);
        }
    }
}
