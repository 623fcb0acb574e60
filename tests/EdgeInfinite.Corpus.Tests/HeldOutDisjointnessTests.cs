using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Corpus.Recall.HeldOut;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Tests;

/// <summary>
/// The held-out suite shares no wording with the corpus: no run of four words of a held-out template occurs in the
/// corpus's templates or in its generated text, no run of four words of a corpus template occurs in a held-out prompt,
/// and the held-out prose uses none of the corpus lexicon's words.
/// </summary>
public sealed class HeldOutDisjointnessTests(TrainedTokenizer tokenizer) : IClassFixture<TrainedTokenizer>
{
    [Fact]
    public void Templates_HeldOutAndCorpus_ShareNoFourWordRun()
    {
        var corpus = WordRuns.Of(CorpusTemplates());

        foreach (string template in HeldOutTemplates.All)
        {
            var shared = WordRuns.Of([template]).Intersect(corpus).ToList();
            Assert.True(shared.Count == 0, $"'{template}' shares '{string.Join("', '", shared)}' with the corpus");
        }
    }

    [Fact]
    public void CorpusText_ManySamples_ContainsNoHeldOutWordRun()
    {
        var corpus = new SyntheticCorpus(new CorpusOptions { Seed = 42, MinDistanceTokens = 32, MaxDistanceTokens = 600 });
        var text = WordRuns.Of(corpus.Samples(3000).Select(s => s.Text));

        foreach (string template in HeldOutTemplates.All)
        {
            var shared = WordRuns.Of([template]).Intersect(text).ToList();
            Assert.True(shared.Count == 0, $"'{template}' shares '{string.Join("', '", shared)}' with the corpus text");
        }
    }

    [Fact]
    public void HeldOutPrompts_EveryFormat_ContainNoCorpusWordRun()
    {
        var builder = new HeldOutRecallTaskBuilder(tokenizer.Managed.Encode);
        var corpus = WordRuns.Of(CorpusTemplates());
        const string systemTurn = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n";

        for (int seed = 0; seed < 45; seed++)
        {
            var task = builder.Build(700, 0.5, builder.Formats[seed % 3], new DeterministicRandom((ulong)seed));
            // The generic system prompt is the one wording the suites share on purpose.
            string text = task.Text.Replace(systemTurn, string.Empty, StringComparison.Ordinal);

            var shared = WordRuns.Of([text]).Intersect(corpus).ToList();
            Assert.True(shared.Count == 0, $"seed {seed}: held-out prompt shares '{string.Join("', '", shared)}' with the corpus");
        }
    }

    [Fact]
    public void Prose_ManyPieces_UsesNoCorpusLexiconWordAndNoValue()
    {
        var lexicon = new HashSet<string>(
            Lexicon.Adjectives.Concat(Lexicon.Agents).Concat(Lexicon.Objects).Concat(Lexicon.Places).Concat(Lexicon.VerbsWithObject)
                .Concat(Lexicon.VerbsOfMotion).Concat(Lexicon.Times).Concat(Lexicon.Weather).Concat(Lexicon.AllValues).Concat(Lexicon.NumberWords)
                .Concat(Lexicon.Capitals.SelectMany(c => new[] { c.Country, c.Capital })).Concat(Lexicon.Topics.SelectMany(WordRuns.Words)),
            StringComparer.OrdinalIgnoreCase);
        lexicon.Remove("the");
        var random = new DeterministicRandom(3);
        var words = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var shapes = new HashSet<string>(StringComparer.Ordinal);

        for (int i = 0; i < 3000; i++)
        {
            string piece = HeldOutProse.DocumentPiece(random);
            var (user, assistant) = HeldOutProse.Exchange(random);
            words.UnionWith(WordRuns.Words(piece).Concat(WordRuns.Words(user)).Concat(WordRuns.Words(assistant)));
            shapes.Add(piece.StartsWith("\n\n", StringComparison.Ordinal) ? "paragraph" : piece.Contains('"', StringComparison.Ordinal) ? "dialogue" : piece.Contains(':', StringComparison.Ordinal) ? "list" : "sentence");
        }

        Assert.Empty(words.Intersect(lexicon));
        Assert.Equal(4, shapes.Count);
        Assert.True(words.Count > 150, $"only {words.Count} distinct words");
    }

    [Fact]
    public void Prose_SentenceLengths_VaryFromAFewWordsToDozens()
    {
        var random = new DeterministicRandom(8);

        var lengths = Enumerable.Range(0, 500).Select(_ => WordRuns.Words(HeldOutProse.Sentence(random)).Count()).ToList();

        Assert.InRange(lengths.Min(), 1, 3);
        Assert.InRange(lengths.Max(), 30, 80);
    }

    private static IEnumerable<string> CorpusTemplates()
    {
        const string value = "{0}";
        return FactCatalog.Slots.SelectMany(s => s.Statements.Concat(s.Questions).Append(s.Acknowledgement))
            .Concat(FactCatalog.NeedleNouns.Keys.SelectMany(c => new[] { FactCatalog.Needle(c, value), FactCatalog.NeedleRepeat(c, value), FactCatalog.NeedleQuestion(c) }))
            .Concat(SyntheticCorpus.FixedWordings).Concat(FillerGrammar.FixedTurns);
    }
}
