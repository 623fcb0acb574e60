using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Tests;

public sealed class BpeTrainerTests(TrainedTokenizer trained) : IClassFixture<TrainedTokenizer>
{
    public static TheoryData<string> Values => new(Lexicon.AllValues);

    [Fact]
    public void Train_SameTextTwice_IdenticalVocabularyAndMerges()
    {
        var texts = TrainedTokenizer.CorpusTexts(seed: 5, chars: 200_000).ToList();

        var a = new BpeTrainer(new BpeTrainerOptions { VocabSize = 700 }).Train(texts);
        var b = new BpeTrainer(new BpeTrainerOptions { VocabSize = 700 }).Train(texts);

        Assert.Equal(a.Tokens, b.Tokens);
        Assert.Equal(a.Merges, b.Merges);
        Assert.Equal(700, a.VocabSize);
    }

    [Fact]
    public void Train_DifferentCorpusSeed_SameTokensForCommonWords()
    {
        var other = new BpeTokenizer(TrainedTokenizer.Train(seed: 2, chars: 600_000));

        Assert.Single(other.Encode(" Paris"));
        Assert.Single(trained.Managed.Encode(" Paris"));
    }

    [Fact]
    public void Train_Vocabulary_AddedTokensThenBytesInCodePointOrderThenMerges()
    {
        var model = trained.Model;

        Assert.Equal(BpeTrainerOptions.DefaultAddedTokens.Select(t => t.Content), model.Tokens.Take(5));
        Assert.Equal(ByteLevelAlphabet.SortedCharacters.Select(c => c.ToString()), model.Tokens.Skip(5).Take(256));
        Assert.Equal("!", model.Tokens[5]);
        Assert.Equal(model.VocabSize - 261, model.Merges.Count);
        for (int i = 0; i < model.Merges.Count; i++)
        {
            var (left, right) = model.Merges[i];
            Assert.True(model.Ids[left] < 261 + i && model.Ids[right] < 261 + i, $"merge {i} uses a later token");
            Assert.True(model.Ids.ContainsKey(left + right));
        }
    }

    [Fact]
    public void Train_SyntheticCorpus_StopsWhenNoPairRepeatsBelowRequestedVocab()
    {
        // The corpus has a small vocabulary: every word is whole long before 2048 entries, and single pairs are not merged.
        Assert.InRange(trained.Model.VocabSize, 1000, TrainedTokenizer.VocabSize);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public void Encode_FactValue_OneTokenWithAndWithoutLeadingSpace(string value)
    {
        Assert.Single(trained.Managed.Encode(" " + value));
        Assert.Single(trained.Managed.Encode(value));
        Assert.Single(trained.GenAi.Encode(" " + value));
        Assert.Equal(trained.Managed.Encode(value), trained.GenAi.Encode(value));
    }

    [Fact]
    public void Encode_Tiger_SingleId()
    {
        int[] ids = trained.GenAi.Encode(" Tiger");

        Assert.Single(ids);
        Assert.Equal("ĠTiger", trained.Model.Tokens[ids[0]]);
    }

    [Fact]
    public void Constructor_VocabBelowAlphabet_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BpeTrainer(new BpeTrainerOptions { VocabSize = 100 }));
    }

    [Fact]
    public void Train_AddedTokensInText_NotLearnedFrom()
    {
        var model = new BpeTrainer(new BpeTrainerOptions { VocabSize = 300 }).Train(Enumerable.Repeat("<|im_start|>user\nhi<|im_end|>\n", 50));

        Assert.DoesNotContain(model.Tokens.Skip(261), t => t.Contains('|', StringComparison.Ordinal));
        Assert.Contains("user", model.Tokens);
    }
}
