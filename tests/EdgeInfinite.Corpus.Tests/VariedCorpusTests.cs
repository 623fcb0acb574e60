using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Corpus.Varied;
using EdgeInfinite.Corpus.Recall.HeldOut;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Tests;

public sealed class VariedCorpusTests
{
    private static SyntheticCorpus Corpus(CorpusStyle style, long seed = 42) => new(new CorpusOptions { Seed = seed, Style = style, MinDistanceTokens = 32, MaxDistanceTokens = 600 });

    [Fact]
    public void Samples_VariedStyle_DeterministicAndUnlikeTheTemplateCorpus()
    {
        var a = Corpus(CorpusStyle.Varied).Samples(60).Select(s => s.Text).ToList();
        var b = Corpus(CorpusStyle.Varied).Samples(60).Select(s => s.Text).ToList();
        var template = Corpus(CorpusStyle.Template).Samples(60).Select(s => s.Text).ToList();

        Assert.Equal(a, b);
        Assert.True(a.Zip(template).Count(p => p.First != p.Second) >= 40);
    }

    [Fact]
    public void Samples_VariedStyle_UseManyPhrasingsPerSlotAndEveryFillerShape()
    {
        var texts = Corpus(CorpusStyle.Varied).Samples(1500).Select(s => s.Text).ToList();
        string all = string.Concat(texts);

        foreach (var slot in FactCatalog.Slots)
        {
            var questions = VariedPhrasebook.For(slot).Questions;
            int used = questions.Count(q => all.Contains("<|im_start|>user\n" + q + "<|im_end|>", StringComparison.Ordinal));
            Assert.True(used >= 4, $"{slot.Key}: {used} of {questions.Count} questions used");
        }

        Assert.Contains("\" the ", all, StringComparison.Ordinal);
        Assert.Contains(" there was a ", all, StringComparison.Ordinal);
        Assert.Contains("Which name is the secret one?", all, StringComparison.Ordinal);
        Assert.Contains("Good to know: ", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Samples_VariedStyle_RecallAnswersAreStatedSingleTokenValues()
    {
        var tokenizer = new BpeTokenizer(TokenizerFiles.Read(Path.Combine(AppContext.BaseDirectory, "shipped", "tokenizer.json")));
        var corpus = Corpus(CorpusStyle.Varied);

        foreach (var kind in new[] { TaskKind.FactRecall, TaskKind.MultiFactRecall, TaskKind.NeedleRetrieval })
        {
            for (int i = 0; i < 40; i++)
            {
                var sample = corpus.Sample(i, kind);
                Assert.NotEmpty(sample.Answers);
                foreach (string value in sample.Answers)
                {
                    Assert.Single(tokenizer.Encode(value));
                    Assert.Single(tokenizer.Encode(" " + value));
                    string before = sample.Text[..sample.Text.LastIndexOf("<|im_start|>assistant\n" + value + ".", StringComparison.Ordinal)];
                    Assert.Matches(@"\b" + value + @"\b", before);
                }
            }
        }
    }

    [Fact]
    public void Phrasebook_EverySlot_HasItsOwnWordingFirstAndValuesInSeveralPositions()
    {
        foreach (var slot in FactCatalog.Slots)
        {
            var phrasing = VariedPhrasebook.For(slot);

            Assert.Equal(slot.Statements, phrasing.Statements.Take(slot.Statements.Count));
            Assert.Equal(slot.Questions, phrasing.Questions.Take(slot.Questions.Count));
            Assert.True(phrasing.Statements.Count >= 6 && phrasing.Questions.Count >= 6 && phrasing.Acknowledgements.Count >= 3, slot.Key);
            Assert.Contains(phrasing.Statements, s => s.StartsWith("{0}", StringComparison.Ordinal) || s.StartsWith("The {0}", StringComparison.Ordinal) || s.Contains("{0} ", StringComparison.Ordinal));
            Assert.Contains(phrasing.Statements, s => s.EndsWith("{0}.", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Phrasebook_AndHeldOutTemplates_ShareNoFourWordRun()
    {
        var varied = WordRuns.Of(VariedPhrasebook.All);

        foreach (string template in HeldOutTemplates.All)
        {
            var shared = WordRuns.Of([template]).Intersect(varied).ToList();
            Assert.True(shared.Count == 0, $"'{template}' shares '{string.Join("', '", shared)}' with the varied corpus");
        }
    }

    [Fact]
    public void VariedCorpusText_ManySamples_ContainsNoHeldOutWordRun()
    {
        var text = WordRuns.Of(Corpus(CorpusStyle.Varied, seed: 5).Samples(3000).Select(s => s.Text));

        foreach (string template in HeldOutTemplates.All)
        {
            var shared = WordRuns.Of([template]).Intersect(text).ToList();
            Assert.True(shared.Count == 0, $"'{template}' shares '{string.Join("', '", shared)}' with the varied corpus text");
        }
    }

    [Fact]
    public void Validate_UnknownStyle_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticCorpus(new CorpusOptions { Style = (CorpusStyle)7 }));
    }
}
