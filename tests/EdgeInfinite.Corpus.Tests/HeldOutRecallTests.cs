using System.Globalization;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Corpus.Recall.HeldOut;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx;

namespace EdgeInfinite.Corpus.Tests;

public sealed class HeldOutRecallTests(RecallPackage package) : IClassFixture<RecallPackage>
{
    private const string GenerationPrompt = "<|im_start|>assistant\n";

    [Theory]
    [InlineData(RecallTaskFormat.Needle)]
    [InlineData(RecallTaskFormat.Conversation)]
    [InlineData(RecallTaskFormat.MultiFact)]
    public void Build_SameSeed_SamePromptOtherSeedOtherPrompt(RecallTaskFormat format)
    {
        var builder = new HeldOutRecallTaskBuilder(new BpeTokenizer(package.Model).Encode);

        var a = builder.Build(900, 0.5, format, new DeterministicRandom(9));
        var b = builder.Build(900, 0.5, format, new DeterministicRandom(9));
        var c = builder.Build(900, 0.5, format, new DeterministicRandom(10));

        Assert.Equal(a.Text, b.Text);
        Assert.Equal(a.PromptIds, b.PromptIds);
        Assert.NotEqual(a.Text, c.Text);
    }

    [Theory]
    [InlineData(RecallTaskFormat.Needle, 450)]
    [InlineData(RecallTaskFormat.Needle, 3000)]
    [InlineData(RecallTaskFormat.Conversation, 450)]
    [InlineData(RecallTaskFormat.Conversation, 3000)]
    [InlineData(RecallTaskFormat.MultiFact, 450)]
    [InlineData(RecallTaskFormat.MultiFact, 3000)]
    public void Build_Length_PromptLandsJustUnderTheBudget(RecallTaskFormat format, int length)
    {
        var tokenizer = new BpeTokenizer(package.Model);
        var builder = new HeldOutRecallTaskBuilder(tokenizer.Encode);

        for (int seed = 0; seed < 4; seed++)
        {
            var task = builder.Build(length, 0.5, format, new DeterministicRandom((ulong)seed), answerTokens: 4);

            Assert.Equal(tokenizer.Encode(task.Text), task.PromptIds);
            // Within a tenth of the budget, or one long filler exchange (up to about 64 tokens) at short lengths.
            int budget = length - 4;
            Assert.InRange(task.PromptIds.Length, budget - Math.Max(64, budget / 10), budget);
            Assert.EndsWith(GenerationPrompt, task.Text, StringComparison.Ordinal);
            ChatMlParser.Parse(task.Text[..^GenerationPrompt.Length]);
        }
    }

    [Theory]
    [InlineData(RecallTaskFormat.Needle, 0.1)]
    [InlineData(RecallTaskFormat.Needle, 0.9)]
    [InlineData(RecallTaskFormat.Conversation, 0.1)]
    [InlineData(RecallTaskFormat.Conversation, 0.5)]
    [InlineData(RecallTaskFormat.MultiFact, 0.9)]
    public void Build_Depth_FactStartsAtThatFractionOfThePrompt(RecallTaskFormat format, double depth)
    {
        var tokenizer = new BpeTokenizer(package.Model);
        var builder = new HeldOutRecallTaskBuilder(tokenizer.Encode);

        var task = builder.Build(3000, depth, format, new DeterministicRandom(5));

        // The first statement of the value, found in the text and counted by the tokenizer (not by the builder's bookkeeping).
        int at = FirstStatement(task);
        double measured = (double)tokenizer.Encode(task.Text[..at]).Length / task.PromptIds.Length;
        Assert.InRange(measured, depth - 0.1, depth + 0.1);
        Assert.InRange((double)task.FactTokenIndex / task.PromptIds.Length, depth - 0.1, depth + 0.1);
    }

    [Fact]
    public void Build_AnyFormat_ValueIsOneTokenOfTheShippedTokenizerWithAndWithoutLeadingSpace()
    {
        var tokenizer = new BpeTokenizer(TokenizerFiles.Read(Path.Combine(AppContext.BaseDirectory, "shipped", "tokenizer.json")));
        var builder = new HeldOutRecallTaskBuilder(tokenizer.Encode);

        for (int seed = 0; seed < 60; seed++)
        {
            var task = builder.Build(400, 0.5, builder.Formats[seed % 3], new DeterministicRandom((ulong)seed));

            foreach (string value in task.StatedValues)
            {
                Assert.True(tokenizer.Encode(value).Length == 1, value);
                Assert.True(tokenizer.Encode(" " + value).Length == 1, " " + value);
            }
        }
    }

    [Fact]
    public void Build_MultiFact_AsksOneOfThreeStatedFacts()
    {
        var builder = new HeldOutRecallTaskBuilder(new BpeTokenizer(package.Model).Encode);
        var askedValues = new HashSet<int>();

        for (int seed = 0; seed < 30; seed++)
        {
            var task = builder.Build(600, 0.3, RecallTaskFormat.MultiFact, new DeterministicRandom((ulong)seed));

            Assert.Equal(HeldOutRecallTaskBuilder.MultiFactCount, task.StatedValues.Count);
            Assert.Equal(task.StatedValues.Count, task.StatedValues.Distinct().Count());
            Assert.Contains(task.Expected, task.StatedValues);
            askedValues.Add(task.StatedValues.ToList().IndexOf(task.Expected));
            string body = task.Text[..task.Text.LastIndexOf("<|im_start|>user\n", StringComparison.Ordinal)];
            string facts = body[body.IndexOf(HeldOutTemplates.MultiFactOpening, StringComparison.Ordinal)..];
            // Each stated value is in one of its slot's statements; the question belongs to the slot stated with the expected value.
            var stated = HeldOutTemplates.Slots.SelectMany(s => s.Statements.Select(t => (Slot: s, Template: t)))
                .SelectMany(x => task.StatedValues.Select(v => (x.Slot, Value: v, Text: string.Format(CultureInfo.InvariantCulture, x.Template, v))))
                .Where(x => facts.Contains(x.Text, StringComparison.Ordinal)).ToList();
            Assert.Equal(task.StatedValues.Order(), stated.Select(x => x.Value).Distinct().Order());
            var askedSlot = HeldOutTemplates.Slots.Single(s => s.Questions.Contains(task.Question));
            Assert.Contains(stated, x => x.Slot == askedSlot && x.Value == task.Expected);
            Assert.EndsWith("<|im_start|>user\n" + task.Question + "<|im_end|>\n" + GenerationPrompt, task.Text, StringComparison.Ordinal);
        }

        // Over 30 prompts the asked fact is each of the three at least once (not always the first or the last stated).
        Assert.Equal(3, askedValues.Count);
    }

    [Fact]
    public void Build_CorpusBuilderAskedForMultiFact_Throws()
    {
        var builder = new RecallTaskBuilder(new BpeTokenizer(package.Model).Encode);

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build(600, 0.5, RecallTaskFormat.MultiFact, new DeterministicRandom(1)));
    }

    [Fact]
    public void Validate_CorpusSuiteWithMultiFact_Throws()
    {
        var options = new RecallEvaluationOptions { Formats = [RecallTaskFormat.MultiFact] };

        Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        options.Suite = RecallSuite.HeldOut;
        options.Validate();
    }

    [Fact]
    public void Evaluate_HeldOutSuite_SameCellsAsCorpusSuiteOtherPrompts()
    {
        using var model = EdgeInfiniteModel.Load(package.Directory, new EdgeInfiniteModelOptions { IntraOpThreads = 1 });
        var evaluator = new RecallEvaluator(model);
        RecallEvaluationOptions Options(RecallSuite suite) => new() { Suite = suite, Formats = RecallEvaluationOptions.FormatsOf(suite), Lengths = [400], Depths = [0.2, 0.8], Modes = [RecallMode.Long, RecallMode.Short], Trials = 3, Seed = RecallSeeds.Dev };

        var heldOut = evaluator.Evaluate(Options(RecallSuite.HeldOut));
        var again = evaluator.Evaluate(Options(RecallSuite.HeldOut));
        var corpus = evaluator.Evaluate(Options(RecallSuite.Corpus));

        Assert.Equal(heldOut, again);
        Assert.Equal(corpus.Select(r => (r.Mode, r.Length, r.Depth, r.Trials)), heldOut.Select(r => (r.Mode, r.Length, r.Depth, r.Trials)));
        // Different prompts: the value's log-probability differs somewhere even on random weights.
        Assert.NotEqual(corpus.Select(r => r.MeanLogProb), heldOut.Select(r => r.MeanLogProb));
        Assert.All(heldOut, r => Assert.InRange(r.MeanLogProb!.Value, -30, 0));
    }

    [Fact]
    public void Seeds_ReportAndDev_DifferAndParse()
    {
        Assert.NotEqual(RecallSeeds.Of(RecallSeedSet.Dev), RecallSeeds.Of(RecallSeedSet.Report));
        Assert.Equal(RecallSeedSet.Report, RecallSeeds.Parse(" Report "));
        Assert.Throws<FormatException>(() => RecallSeeds.Parse("test"));
    }

    private static int FirstStatement(RecallTask task)
    {
        var templates = task.Format == RecallTaskFormat.Needle
            ? HeldOutTemplates.Needles.Values.Select(n => n.Statement)
            : HeldOutTemplates.Slots.SelectMany(s => s.Statements);
        return templates.SelectMany(t => task.StatedValues.Select(v => task.Text.IndexOf(string.Format(CultureInfo.InvariantCulture, t, v), StringComparison.Ordinal)))
            .Where(i => i >= 0).Min();
    }
}
