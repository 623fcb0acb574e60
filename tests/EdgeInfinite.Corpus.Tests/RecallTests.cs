using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx;

namespace EdgeInfinite.Corpus.Tests;

public sealed class RecallTests(RecallPackage package) : IClassFixture<RecallPackage>
{
    [Theory]
    [InlineData("Luna.", "Luna", true)]
    [InlineData(" luna, as you said", "Luna", true)]
    [InlineData("Lunar.", "Luna", false)]
    [InlineData("It is Luna.", "Luna", false)]
    [InlineData("", "Luna", false)]
    [InlineData("seven", "seven", true)]
    public void IsCorrect_Reply_ChecksFirstWord(string reply, string expected, bool correct)
    {
        Assert.Equal(correct, RecallAnswer.IsCorrect(reply, expected));
    }

    [Theory]
    [InlineData(RecallTaskFormat.Needle, 0.1)]
    [InlineData(RecallTaskFormat.Needle, 0.9)]
    [InlineData(RecallTaskFormat.Conversation, 0.5)]
    public void Build_LengthAndDepth_PromptFitsAndFactSitsAtDepth(RecallTaskFormat format, double depth)
    {
        var tokenizer = new BpeTokenizer(package.Model);
        var builder = new RecallTaskBuilder(tokenizer.Encode);

        var task = builder.Build(3000, depth, format, new DeterministicRandom(5), answerTokens: 4);

        Assert.InRange(task.PromptIds.Length, 2800, 2996);
        Assert.Equal(tokenizer.Encode(task.Text), task.PromptIds);
        Assert.EndsWith("<|im_start|>assistant\n", task.Text, StringComparison.Ordinal);
        Assert.Contains(task.Question, task.Text, StringComparison.Ordinal);
        Assert.Contains(" " + task.Expected + ".", task.Text, StringComparison.Ordinal);
        Assert.InRange((double)task.FactTokenIndex / task.PromptIds.Length, depth - 0.1, depth + 0.1);
        ChatMlParser.Parse(task.Text[..^"<|im_start|>assistant\n".Length]);
    }

    [Fact]
    public void Build_SameRandomSeed_SamePrompt()
    {
        var builder = new RecallTaskBuilder(new BpeTokenizer(package.Model).Encode);

        var a = builder.Build(800, 0.5, RecallTaskFormat.Needle, new DeterministicRandom(9));
        var b = builder.Build(800, 0.5, RecallTaskFormat.Needle, new DeterministicRandom(9));

        Assert.Equal(a.Text, b.Text);
    }

    [Fact]
    public void Build_LengthBelowFixedParts_Throws()
    {
        var builder = new RecallTaskBuilder(new BpeTokenizer(package.Model).Encode);

        Assert.Throws<ArgumentOutOfRangeException>(() => builder.Build(10, 0.5, RecallTaskFormat.Conversation, new DeterministicRandom(1)));
    }

    [Fact]
    public void Evaluate_RandomWeightPackage_OneResultPerCellShortSkippedOverMaxPositions()
    {
        using var model = EdgeInfiniteModel.Load(package.Directory, new EdgeInfiniteModelOptions { IntraOpThreads = 1 });
        var reports = new List<RecallProgress>();
        var options = new RecallEvaluationOptions { Lengths = [300, 1500], Depths = [0.2, 0.8], Trials = 2, Seed = 3 };

        var results = new RecallEvaluator(model).Evaluate(options, new Progress(reports.Add));

        Assert.Equal(2 * 2 * 3, results.Count);
        foreach (var r in results)
        {
            bool skipped = r.Mode == RecallMode.Short && r.Length > RecallPackage.MaxPositions;
            Assert.Equal(skipped ? 0 : 2, r.Trials);
            Assert.Equal(skipped ? RecallEvaluator.OverMaxPositions : null, r.Skipped);
            Assert.InRange(r.Correct, 0, r.Trials);
            Assert.Equal(skipped ? null : (double)r.Correct / r.Trials, r.Accuracy);
        }

        Assert.Equal(2, results.Count(r => r.Skipped is not null));
        Assert.Equal(1.0, reports[^1].Fraction, 6);
        Assert.True(reports.Select(r => r.Fraction).SequenceEqual(reports.Select(r => r.Fraction).Order()));
    }

    [Fact]
    public void Evaluate_CellAskedAloneOrWithOthers_SameOutcome()
    {
        using var model = EdgeInfiniteModel.Load(package.Directory, new EdgeInfiniteModelOptions { IntraOpThreads = 1 });
        var evaluator = new RecallEvaluator(model);

        var alone = evaluator.Evaluate(new RecallEvaluationOptions { Lengths = [400], Depths = [0.5], Modes = [RecallMode.Short], Trials = 3, Seed = 6 });
        var together = evaluator.Evaluate(new RecallEvaluationOptions { Lengths = [200, 400], Depths = [0.1, 0.5], Modes = [RecallMode.Long, RecallMode.Short], Trials = 3, Seed = 6 });

        Assert.Equal(alone.Single(), together.Single(r => r.Length == 400 && r.Depth == 0.5 && r.Mode == RecallMode.Short));
    }

    [Fact]
    public void Evaluate_OneTrial_MeanLogProbEqualsLogSoftmaxOfTheValueAfterAOnePassPrefill()
    {
        using var model = EdgeInfiniteModel.Load(package.Directory, new EdgeInfiniteModelOptions { IntraOpThreads = 1 });
        var options = new RecallEvaluationOptions { Lengths = [700], Depths = [0.1], Modes = [RecallMode.Long, RecallMode.Short], Trials = 1, Seed = 8 };
        var task = new RecallTaskBuilder(model.Tokenizer.Encode).Build(700, 0.1, options.Formats[0], RecallEvaluator.TaskRandom(8, 700, 0.1, 0), options.MaxNewTokens);
        int expected = model.Tokenizer.Encode(task.Expected)[0];

        var results = new RecallEvaluator(model).Evaluate(options);

        foreach (var mode in options.Modes)
        {
            using var state = model.CreateState(mode == RecallMode.Short ? Onnx.Inference.Route.Short : Onnx.Inference.Route.Long, task.PromptIds.Length);
            double reference = RecallEvaluator.LogProbability(state.Append(task.PromptIds), expected);
            double measured = results.Single(r => r.Mode == mode).MeanLogProb!.Value;
            Assert.True(Math.Abs(reference - measured) < 1e-3, $"{mode}: evaluator {measured:F5}, one-pass prefill {reference:F5}");
            Assert.InRange(measured, -30, 0);
        }
    }

    [Fact]
    public void LogProbability_TwoLogits_IsLogOfSoftmax()
    {
        float[] logits = [0f, (float)Math.Log(3), -100f];

        Assert.Equal(Math.Log(0.75), RecallEvaluator.LogProbability(logits, 1), 6);
        Assert.Equal(Math.Log(0.25), RecallEvaluator.LogProbability(logits, 0), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecallEvaluator.LogProbability(logits, 3));
    }

    private sealed class Progress(Action<RecallProgress> report) : IProgress<RecallProgress>
    {
        public void Report(RecallProgress value) => report(value);
    }
}
