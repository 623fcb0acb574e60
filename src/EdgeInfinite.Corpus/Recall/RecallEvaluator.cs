using System.Globalization;
using System.Text;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Recall.HeldOut;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Corpus.Recall;

/// <summary>
/// Needle and fact recall at several lengths and depths in three modes: the long route with memory, the long route
/// with memory off (sink + window) and the short route (full attention) where the length fits the package's max
/// positions. Every mode answers the same prompts; a reply is correct when its first word is the expected value
/// (greedy decoding of a few tokens). <see cref="RecallEvaluationOptions.Suite"/> chooses the corpus's own prompts or
/// the held-out ones.
/// </summary>
public sealed class RecallEvaluator
{
    private readonly EdgeInfiniteModel _model;

    /// <summary>Initializes a new instance of the <see cref="RecallEvaluator"/> class.</summary>
    /// <param name="model">The model (its package needs a tokenizer).</param>
    public RecallEvaluator(EdgeInfiniteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>The reason a short-route cell is skipped.</summary>
    public const string OverMaxPositions = "over max positions";

    /// <summary>Runs the evaluation.</summary>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress.</param>
    /// <param name="cancellationToken">Cancels between and within prefill chunks.</param>
    /// <returns>One result per mode, length and depth, in that nesting order (length, depth, mode).</returns>
    public IReadOnlyList<RecallResult> Evaluate(RecallEvaluationOptions options, IProgress<RecallProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var tokenizer = _model.Tokenizer;
        IRecallTaskBuilder builder = options.Suite == RecallSuite.HeldOut ? new HeldOutRecallTaskBuilder(tokenizer.Encode) : new RecallTaskBuilder(tokenizer.Encode);
        int maxPositions = _model.Config.MaxPositions;
        var generator = new TextGenerator(_model);
        var generation = new GenerationOptions { MaxNewTokens = options.MaxNewTokens, Greedy = true };
        var cells = new Dictionary<(int, double, RecallMode), int>();
        var logProbs = new Dictionary<(int, double, RecallMode), double>();
        int runsPerTrial = 0;
        foreach (int length in options.Lengths)
        {
            runsPerTrial += options.Modes.Count(m => Runs(m, length, maxPositions));
        }

        double totalRuns = Math.Max(1, runsPerTrial * options.Depths.Count * options.Trials);
        int done = 0;
        for (int li = 0; li < options.Lengths.Count; li++)
        {
            int length = options.Lengths[li];
            for (int di = 0; di < options.Depths.Count; di++)
            {
                double depth = options.Depths[di];
                for (int trial = 0; trial < options.Trials; trial++)
                {
                    var random = TaskRandom(options.Seed, length, depth, trial);
                    var format = options.Formats[trial % options.Formats.Count];
                    var task = builder.Build(length, depth, format, random, options.MaxNewTokens);
                    int expectedId = tokenizer.Encode(task.Expected)[0];
                    foreach (var mode in options.Modes.Where(m => Runs(m, length, maxPositions)))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        string stage = string.Create(CultureInfo.InvariantCulture, $"{RecallResult.Name(mode)} {length} d={depth:0.##}");
                        int finished = done;
                        var prefill = progress is null ? null : new InlineProgress<PrefillProgress>(p => progress.Report(new RecallProgress((finished + ((double)p.Processed / Math.Max(1, p.Total))) / totalRuns, stage)));
                        var (reply, logProb) = Answer(generator, generation, task, expectedId, mode, prefill, cancellationToken);
                        var key = (length, depth, mode);
                        cells[key] = cells.GetValueOrDefault(key) + (RecallAnswer.IsCorrect(reply, task.Expected) ? 1 : 0);
                        logProbs[key] = logProbs.GetValueOrDefault(key) + logProb;
                        done++;
                        progress?.Report(new RecallProgress(done / totalRuns, stage));
                    }
                }
            }
        }

        var results = new List<RecallResult>();
        foreach (int length in options.Lengths)
        {
            foreach (double depth in options.Depths)
            {
                foreach (var mode in options.Modes)
                {
                    results.Add(Runs(mode, length, maxPositions)
                        ? new RecallResult(mode, length, depth, options.Trials, cells.GetValueOrDefault((length, depth, mode))) { MeanLogProb = logProbs.GetValueOrDefault((length, depth, mode)) / options.Trials }
                        : new RecallResult(mode, length, depth, 0, 0, OverMaxPositions));
                }
            }
        }

        return results;
    }

    /// <summary>The random source of one trial's prompt.</summary>
    /// <remarks>Keyed by the length and depth values, not their positions: a cell's prompts do not depend on the other cells asked for.</remarks>
    internal static DeterministicRandom TaskRandom(long seed, int length, double depth, int trial) =>
        DeterministicRandom.ForItem(seed, ((((long)length * 1001) + (long)Math.Round(depth * 1000)) * 100_000) + trial);

    private static bool Runs(RecallMode mode, int length, int maxPositions) => mode != RecallMode.Short || length <= maxPositions;

    /// <summary>ln softmax(<paramref name="logits"/>)[<paramref name="tokenId"/>], computed in double precision.</summary>
    /// <param name="logits">One row of logits.</param>
    /// <param name="tokenId">The token.</param>
    /// <returns>The log-probability.</returns>
    public static double LogProbability(ReadOnlySpan<float> logits, int tokenId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokenId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tokenId, logits.Length);
        double max = double.NegativeInfinity;
        foreach (float l in logits)
        {
            max = Math.Max(max, l);
        }

        double sum = 0;
        foreach (float l in logits)
        {
            sum += Math.Exp(l - max);
        }

        return logits[tokenId] - max - Math.Log(sum);
    }

    private (string Reply, double LogProb) Answer(TextGenerator generator, GenerationOptions generation, RecallTask task, int expectedId, RecallMode mode, IProgress<PrefillProgress>? progress, CancellationToken ct)
    {
        var route = mode == RecallMode.Short ? Route.Short : Route.Long;
        using var state = _model.CreateState(route, task.PromptIds.Length + generation.MaxNewTokens, memoryEnabled: mode != RecallMode.MemoryOff);
        // All but the last prompt token first, so the generator returns the logits of one position, not of the whole
        // prompt (a 128k-token prompt's logits would not fit in memory).
        state.Append(task.PromptIds.AsSpan(0, task.PromptIds.Length - 1), ct, progress);
        double logProb = double.NaN;
        var reply = new StringBuilder();
        foreach (var update in generator.Generate(state, [task.PromptIds[^1]], generation, cancellationToken: ct, promptLogits: logits => logProb = LogProbability(logits, expectedId)))
        {
            reply.Append(update.Text);
        }

        return (reply.ToString(), logProb);
    }
}
