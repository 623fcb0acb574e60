using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Corpus.Loss;

/// <summary>
/// Mean next-token cross-entropy of a package on a text, through the engine on the routes asked: the stream is cut
/// into consecutive sequences, each run on a fresh state of the mode's route, and every token of a sequence but its
/// first is scored against the logits of the position before it. Logits are taken a segment (<c>L</c> tokens) at a
/// time with <see cref="InferenceState.AppendAllLogits"/>, so memory stays at <c>L × vocab</c> floats and the cost is
/// one prefill per sequence (the state cuts the chunks on its own grid, whatever the piece sizes). Log-softmax and
/// sums are computed in float64.
/// </summary>
public sealed class LossEvaluator
{
    private readonly EdgeInfiniteModel _model;

    /// <summary>Initializes a new instance of the <see cref="LossEvaluator"/> class.</summary>
    /// <param name="model">The model.</param>
    public LossEvaluator(EdgeInfiniteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>Scores the text in every mode.</summary>
    /// <param name="text">The text.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives progress after each piece.</param>
    /// <param name="cancellationToken">Cancels between and within chunks.</param>
    /// <returns>One result per mode, in the options' order.</returns>
    /// <exception cref="ArgumentException">The short route is asked for sequences longer than the package's max positions, or the text has fewer than two tokens.</exception>
    public IReadOnlyList<LossResult> Evaluate(LossText text, LossEvaluationOptions options, IProgress<LossProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = text.Ids.Length;
        if (n < 2)
        {
            throw new ArgumentException($"The text has {n} token(s); at least two are needed.", nameof(text));
        }

        int longest = Math.Min(options.SequenceTokens, n);
        if (options.Modes.Contains(RecallMode.Short) && longest > _model.Config.MaxPositions)
        {
            throw new ArgumentException($"The short route holds at most {_model.Config.MaxPositions} tokens (the package's maxPositions); sequences of {longest} tokens need the long route.", nameof(options));
        }

        var results = new List<LossResult>(options.Modes.Count);
        double total = (double)n * options.Modes.Count;
        for (int m = 0; m < options.Modes.Count; m++)
        {
            var mode = options.Modes[m];
            var sum = new LossResult(mode, 0, 0, 0, 0, 0);
            for (int start = 0; start < n; start += options.SequenceTokens)
            {
                int length = Math.Min(options.SequenceTokens, n - start);
                if (length < 2)
                {
                    break;
                }

                int offset = start;
                var one = ScoreSequence(text, start, length, mode, done => progress?.Report(new LossProgress(((double)m * n + offset + done) / total, RecallResult.Name(mode))), cancellationToken);
                sum = new LossResult(mode, sum.Sequences + 1, sum.Tokens + one.Tokens, sum.SumNll + one.SumNll, sum.AssistantTokens + one.AssistantTokens, sum.AssistantSumNll + one.AssistantSumNll);
            }

            results.Add(sum);
        }

        return results;
    }

    /// <summary><c>−ln softmax(logits)[target]</c> in float64.</summary>
    /// <param name="logits">One position's logits.</param>
    /// <param name="target">The next token.</param>
    /// <returns>The loss in nats.</returns>
    public static double CrossEntropy(ReadOnlySpan<float> logits, int target)
    {
        if ((uint)target >= (uint)logits.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, $"The target is outside the {logits.Length} logits.");
        }

        // The same log-softmax as the recall score's, negated.
        return -RecallEvaluator.LogProbability(logits, target);
    }

    private LossResult ScoreSequence(LossText text, int start, int length, RecallMode mode, Action<int> progress, CancellationToken ct)
    {
        long tokens = 0, assistantTokens = 0;
        double nllSum = 0, assistantNll = 0;
        var route = mode == RecallMode.Short ? Route.Short : Route.Long;
        using var state = _model.CreateState(route, length, memoryEnabled: mode != RecallMode.MemoryOff);
        int vocab = _model.Config.Architecture.VocabSize;
        int piece = _model.Config.LongRoute.SegmentTokens;
        for (int at = 0; at < length; at += piece)
        {
            int count = Math.Min(piece, length - at);
            float[] logits = state.AppendAllLogits(text.Ids.AsSpan(start + at, count), ct);
            for (int row = 0; row < count; row++)
            {
                int next = start + at + row + 1;
                if (at + row + 1 >= length)
                {
                    break; // the sequence's last position predicts a token of the next sequence, which starts fresh
                }

                double nll = CrossEntropy(logits.AsSpan(row * vocab, vocab), text.Ids[next]);
                tokens++;
                nllSum += nll;
                if (text.Assistant[next])
                {
                    assistantTokens++;
                    assistantNll += nll;
                }
            }

            progress(at + count);
        }

        return new LossResult(mode, 1, tokens, nllSum, assistantTokens, assistantNll);
    }
}
