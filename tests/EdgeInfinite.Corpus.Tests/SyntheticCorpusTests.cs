using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Tests;

public sealed class SyntheticCorpusTests
{
    private static readonly TaskKind[] s_recallKinds = [TaskKind.FactRecall, TaskKind.MultiFactRecall, TaskKind.NeedleRetrieval];

    public static TheoryData<TaskKind> Kinds => new(Enum.GetValues<TaskKind>());

    private static SyntheticCorpus Corpus(long seed, int min = 32, int max = 512) => new(new CorpusOptions { Seed = seed, MinDistanceTokens = min, MaxDistanceTokens = max });

    [Fact]
    public void Samples_SameSeed_IdenticalText()
    {
        var a = Corpus(7).Samples(60).Select(s => s.Text).ToList();
        var b = Corpus(7).Samples(60).Select(s => s.Text).ToList();

        Assert.Equal(a, b);
    }

    [Fact]
    public void Samples_DifferentSeed_DifferentText()
    {
        var a = Corpus(7).Samples(20).Select(s => s.Text).ToList();
        var b = Corpus(8).Samples(20).Select(s => s.Text).ToList();

        Assert.NotEqual(a, b);
        Assert.True(a.Zip(b).Count(p => p.First != p.Second) >= 18);
    }

    [Fact]
    public void Sample_SingleIndex_EqualsSameIndexOfSequence()
    {
        var corpus = Corpus(3);
        var sequence = corpus.Samples(30).ToList();

        Assert.Equal(sequence[17].Text, corpus.Sample(17).Text);
        Assert.Equal(sequence[29].Kind, Corpus(3).Sample(29).Kind);
    }

    [Fact]
    public void Samples_Seed42_MatchPinnedHash()
    {
        // Pins the generator across runtimes and refactorings: a change here changes every trained model's data.
        string all = string.Concat(Corpus(42).Samples(25).Select(SyntheticCorpus.ToTrainingText));

        string hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(all)));

        Assert.True(PinnedHash == hash, hash);
    }

    [Fact]
    public void DeterministicRandom_Seed_PinnedSequence()
    {
        var random = new DeterministicRandom(1234567);

        ulong[] values = [random.NextUInt64(), random.NextUInt64(), random.NextUInt64()];

        // SplitMix64 reference values for seed 1234567.
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL], values);
    }

    [Fact]
    public void Samples_DefaultMixture_EveryKindAppearsNearItsWeight()
    {
        var kinds = Corpus(11).Samples(1000).GroupBy(s => s.Kind).ToDictionary(g => g.Key, g => g.Count());

        double total = CorpusOptions.DefaultKindWeights.Values.Sum();
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            double expected = 1000 * CorpusOptions.DefaultKindWeights[kind] / total;
            Assert.InRange(kinds.GetValueOrDefault(kind), expected * 0.7, expected * 1.3);
        }
    }

    [Fact]
    public void Samples_ZeroWeightKind_NeverAppears()
    {
        var weights = new Dictionary<TaskKind, double> { [TaskKind.ToolCall] = 1, [TaskKind.ShortExchange] = 1 };
        var corpus = new SyntheticCorpus(new CorpusOptions { Seed = 1, KindWeights = weights });

        var kinds = corpus.Samples(100).Select(s => s.Kind).Distinct().Order().ToArray();

        Assert.Equal([TaskKind.ShortExchange, TaskKind.ToolCall], kinds);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Sample_EachKind_IsWellFormedChatMlOfItsMessages(TaskKind kind)
    {
        var corpus = Corpus(5);
        for (int i = 0; i < 20; i++)
        {
            var sample = corpus.Sample(i, kind);

            var parsed = ChatMlParser.Parse(sample.Text);

            Assert.Equal(kind, sample.Kind);
            Assert.Equal(sample.Messages, parsed);
            Assert.Equal(SyntheticCorpus.Render(sample.Messages), sample.Text);
            Assert.Equal("assistant", parsed[^1].Role);
            Assert.Equal("user", parsed.First(m => m.Role != "system").Role);
        }
    }

    [Theory]
    [InlineData(TaskKind.FactRecall)]
    [InlineData(TaskKind.MultiFactRecall)]
    [InlineData(TaskKind.NeedleRetrieval)]
    public void Sample_RecallKind_AnswersStartWithValuesStatedBeforeAtRequestedDistance(TaskKind kind)
    {
        var corpus = Corpus(9, min: 200, max: 400);
        for (int i = 0; i < 20; i++)
        {
            var sample = corpus.Sample(i, kind);

            Assert.NotEmpty(sample.Answers);
            Assert.InRange(sample.DistanceTokens, 200, 400 + 200);
            var answers = sample.Messages.Where(m => m.Role == "assistant").Select(m => m.Content).TakeLast(sample.Answers.Count * 2).ToList();
            foreach (string value in sample.Answers)
            {
                Assert.Contains(value, Lexicon.AllValues);
                Assert.Contains(value + ".", answers);
                int stated = sample.Text.IndexOf(" " + value, StringComparison.Ordinal);
                int answered = sample.Text.LastIndexOf("assistant\n" + value + ".", StringComparison.Ordinal);
                Assert.InRange(stated, 0, answered);
            }
        }

        Assert.Equal(kind == TaskKind.MultiFactRecall, Enumerable.Range(0, 20).All(i => corpus.Sample(i, kind).Answers.Count >= 2));
        Assert.Contains(kind, s_recallKinds);
    }

    [Fact]
    public void Sample_NeedleRetrieval_NeedleRepeatedOnce()
    {
        var sample = Corpus(2).Sample(0, TaskKind.NeedleRetrieval);
        string value = sample.Answers[0];

        string user = sample.Messages.Single(m => m.Role == "user").Content;

        Assert.Equal(2, CountOccurrences(user, "is " + value + "."));
        Assert.EndsWith("?", user, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_ToolCall_OfferedNameCalledThenToolResponseThenAnswer()
    {
        var corpus = Corpus(4);
        for (int i = 0; i < 20; i++)
        {
            var m = corpus.Sample(i, TaskKind.ToolCall).Messages;

            int call = m.ToList().FindIndex(x => x.Role == "assistant" && x.Content.StartsWith("<tool_call>", StringComparison.Ordinal));
            Assert.True(call > 0);
            Assert.Equal("system", m[0].Role);
            Assert.Contains("<tools>", m[0].Content, StringComparison.Ordinal);
            Assert.Equal("user", m[call - 1].Role);
            Assert.Equal("user", m[call + 1].Role);
            Assert.StartsWith("<tool_response>\n", m[call + 1].Content, StringComparison.Ordinal);
            Assert.EndsWith("\n</tool_response>", m[call + 1].Content, StringComparison.Ordinal);
            Assert.Equal("assistant", m[call + 2].Role);
            string body = m[call].Content["<tool_call>".Length..^"</tool_call>".Length].Trim();
            Assert.EndsWith("</tool_call>", m[call].Content, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(body);
            string name = json.RootElement.GetProperty("name").GetString()!;
            Assert.True(name.EndsWith("get_weather", StringComparison.Ordinal) || name.EndsWith("get_time", StringComparison.Ordinal), name);

            // The model must call a function it was offered, by its full name.
            Assert.Contains($"\"name\":\"{name}\"", m[0].Content, StringComparison.Ordinal);
            string city = json.RootElement.GetProperty("arguments").GetProperty("city").GetString()!;
            Assert.Contains(city, m[call - 1].Content, StringComparison.Ordinal);
            using var result = JsonDocument.Parse(m[call + 1].Content["<tool_response>".Length..^"</tool_response>".Length]);
            Assert.Equal(city, result.RootElement.GetProperty("city").GetString());
            Assert.Contains(city, m[call + 2].Content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DistanceRange_Progress_GrowsFromInsideWindowToFar()
    {
        var start = CurriculumSchedule.DistanceRange(0, windowTokens: 1024, farTokens: 65536);
        var middle = CurriculumSchedule.DistanceRange(0.5, 1024, 65536);
        var end = CurriculumSchedule.DistanceRange(1, 1024, 65536);

        Assert.True(start.Max <= 1024);
        Assert.True(middle.Max > start.Max && middle.Max < end.Max);
        Assert.Equal(65536, end.Max);
        Assert.All(new[] { start, middle, end }, r => Assert.InRange(r.Min, 8, r.Max));
    }

    [Fact]
    public void Constructor_NegativeWeight_Throws()
    {
        var options = new CorpusOptions { KindWeights = new Dictionary<TaskKind, double> { [TaskKind.ToolCall] = -1 } };

        Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticCorpus(options));
    }

    [Fact]
    public void Sample_MultiFactRecallWithMaxFactsEight_StatesTwoToEightDistinctFactsAndAsksEach()
    {
        var corpus = new SyntheticCorpus(new CorpusOptions { Seed = 4, MinDistanceTokens = 330, MaxDistanceTokens = 900, MaxFactsPerSample = 8 });

        var counts = Enumerable.Range(0, 200).Select(i => corpus.Sample(i, TaskKind.MultiFactRecall)).Select(s => (s.Answers.Count, Distinct: s.Answers.Distinct().Count())).ToList();

        Assert.All(counts, c => Assert.InRange(c.Count, 2, 8));
        Assert.All(counts, c => Assert.Equal(c.Count, c.Distinct));
        Assert.Equal(Enumerable.Range(2, 7), counts.Select(c => c.Count).Distinct().Order());
    }

    [Fact]
    public void Sample_MultiFactRecallDefaultMaxFacts_StatesTwoToFourFacts()
    {
        var corpus = Corpus(4);

        var counts = Enumerable.Range(0, 100).Select(i => corpus.Sample(i, TaskKind.MultiFactRecall).Answers.Count).Distinct().Order();

        Assert.Equal([2, 3, 4], counts);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    public void Constructor_MaxFactsPerSampleOutsideTwoToSlotCount_ThrowsNamingIt(int maxFacts)
    {
        var options = new CorpusOptions { MaxFactsPerSample = maxFacts };

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticCorpus(options));

        Assert.Equal(nameof(CorpusOptions.MaxFactsPerSample), error.ParamName);
    }

    [Theory]
    [InlineData(TaskKind.FactRecall)]
    [InlineData(TaskKind.MultiFactRecall)]
    public void Sample_FactRecallWithLeadIn_HalfStartWithFillerAndAllStayWithinTheLeadIn(TaskKind kind)
    {
        const int leadIn = 1500;
        var corpus = new SyntheticCorpus(new CorpusOptions { Seed = 9, MinDistanceTokens = 128, MaxDistanceTokens = 600, LeadInTokens = leadIn });

        var samples = Enumerable.Range(0, 200).Select(i => corpus.Sample(i, kind)).ToList();

        // Without a lead-in the first user message states a fact (a stated value); with one it is filler.
        var withLeadIn = samples.Where(s => !s.Answers.Any(a => s.Messages.First(m => m.Role == "user").Content.Contains(a, StringComparison.Ordinal))).ToList();
        Assert.InRange(withLeadIn.Count, 70, 130);
        Assert.All(withLeadIn, s => Assert.True(Tokens(s) > s.DistanceTokens + 40, $"sample {s.Index}: {Tokens(s)} tokens, distance {s.DistanceTokens}"));

        // The lead-in plus the distance stay within the option (up to one filler exchange and the questions over).
        Assert.All(samples, s => Assert.True(Tokens(s) <= leadIn + 400, $"sample {s.Index}: {Tokens(s)} tokens"));
        var plain = new SyntheticCorpus(new CorpusOptions { Seed = 9, MinDistanceTokens = 128, MaxDistanceTokens = 600 });
        Assert.True(samples.Average(Tokens) > Enumerable.Range(0, 200).Select(i => plain.Sample(i, kind)).Average(Tokens) + 200);
    }

    [Fact]
    public void Constructor_NegativeLeadIn_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SyntheticCorpus(new CorpusOptions { LeadInTokens = -1 }));

        Assert.Equal(nameof(CorpusOptions.LeadInTokens), error.ParamName);
    }

    private static int Tokens(CorpusSample sample) => ApproximateTokenCounter.Instance.CountTokens(sample.Text);

    private const string PinnedHash = "6115F363290F17876F8DCD15798A6605728EDB5BA1B4CB6B81310784627A54C7";

    private static int CountOccurrences(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
