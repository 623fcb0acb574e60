using System.Diagnostics;
using EdgeInfinite.Onnx.Constraints;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Onnx.Generation;

/// <summary>
/// The decode loop: prefill, then sample one token at a time, streaming text through one <see cref="TokenDecoder"/>
/// per response and stopping at stop tokens, stop strings or the token budget. Cancellation is honoured between
/// prefill chunks and between tokens.
/// </summary>
public sealed class TextGenerator
{
    private readonly EdgeInfiniteModel _model;

    /// <summary>Initializes a new instance of the <see cref="TextGenerator"/> class.</summary>
    /// <param name="model">The model.</param>
    public TextGenerator(EdgeInfiniteModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
    }

    /// <summary>Generates from a prompt on a fresh state.</summary>
    /// <param name="promptIds">The prompt tokens.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives prefill progress.</param>
    /// <param name="cancellationToken">Cancels the generation.</param>
    /// <returns>The updates; the last one carries the finish reason.</returns>
    public IEnumerable<GenerationUpdate> Generate(IReadOnlyList<int> promptIds, GenerationOptions? options = null, IProgress<PrefillProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(promptIds);
        options = options?.Clone() ?? new GenerationOptions();
        options.Validate();
        return GenerateFresh(promptIds, options, progress, cancellationToken);
    }

    /// <summary>Continues an existing state with new tokens (for example the next user turn).</summary>
    /// <param name="state">The state; it keeps every token fed to the model.</param>
    /// <param name="newIds">The tokens to append before generating.</param>
    /// <param name="options">The options.</param>
    /// <param name="progress">Receives prefill progress.</param>
    /// <param name="cancellationToken">Cancels the generation.</param>
    /// <returns>The updates; the last one carries the finish reason.</returns>
    /// <param name="promptLogits">When set, receives the logits of every appended position (<c>[newIds.Count × vocab]</c>).</param>
    public IEnumerable<GenerationUpdate> Generate(InferenceState state, IReadOnlyList<int> newIds, GenerationOptions? options = null, IProgress<PrefillProgress>? progress = null, CancellationToken cancellationToken = default, Action<float[]>? promptLogits = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(newIds);
        options = options?.Clone() ?? new GenerationOptions();
        options.Validate();
        return Run(state, newIds, options, progress, cancellationToken, promptLogits);
    }

    private IEnumerable<GenerationUpdate> GenerateFresh(IReadOnlyList<int> promptIds, GenerationOptions options, IProgress<PrefillProgress>? progress, CancellationToken ct)
    {
        using var state = _model.CreateStateForPrompt(options.Route, promptIds.Count, options.MaxNewTokens);
        foreach (var update in Run(state, promptIds, options, progress, ct, null))
        {
            yield return update;
        }
    }

    private IEnumerable<GenerationUpdate> Run(InferenceState state, IReadOnlyList<int> promptIds, GenerationOptions options, IProgress<PrefillProgress>? progress, CancellationToken ct, Action<float[]>? promptLogits)
    {
        if (promptIds.Count == 0)
        {
            throw new ArgumentException("The prompt has no tokens.", nameof(promptIds));
        }

        bool hasText = _model.Package.HasTokenizer;
        if (options.StopSequences.Count > 0 && !hasText)
        {
            throw new InvalidOperationException("Stop sequences need a tokenizer, and this package has none; use stop token ids.");
        }

        var stopIds = new HashSet<int>(options.StopTokenIds ?? [.. _model.Config.Tokens.EosTokenIds]);
        var sampler = new TokenSampler(options);
        var matcher = options.Constraint is { } grammar ? new GrammarMatcher(grammar, _model.Vocabulary) : null;
        // Only the repetition penalty looks back at the context; don't copy a long prompt otherwise.
        var context = options.RepetitionPenalty != 1f ? new List<int>(promptIds) : [];
        var stops = new StopSequenceMatcher([.. options.StopSequences]);
        using var decoder = hasText ? _model.Tokenizer.CreateDecoder() : null;
        var clock = Stopwatch.StartNew();
        var ids = promptIds as int[] ?? [.. promptIds];
        int vocab = _model.Config.Architecture.VocabSize;
        float[] logits = promptLogits is null ? state.Append(ids, ct, progress) : LastRow(state.AppendAllLogits(ids, ct, progress), promptLogits);
        TimeSpan? ttft = null;
        int produced = 0;

        while (true)
        {
            if (matcher is { IsFinished: true })
            {
                // Nothing may follow a finished document: end as if the model had chosen a stop token.
                yield return Final(GenerationFinishReason.StopToken, stops.Flush());
                yield break;
            }

            if (produced >= options.MaxNewTokens)
            {
                yield return Final(GenerationFinishReason.Length, stops.Flush());
                yield break;
            }

            ct.ThrowIfCancellationRequested();

            // The mask comes first, so the penalty and the sampling settings only ever see allowed tokens.
            matcher?.Apply(logits.AsSpan(0, vocab), stopIds, options.MaxNewTokens - produced);
            int next = sampler.Next(logits.AsSpan(0, vocab), context);

            ttft ??= clock.Elapsed;
            if (stopIds.Contains(next))
            {
                yield return Final(GenerationFinishReason.StopToken, stops.Flush());
                yield break;
            }

            if (matcher is not null && !matcher.TryAccept(next))
            {
                throw new InvalidOperationException($"Token {next} was sampled although the grammar does not allow it.");
            }

            produced++;
            context.Add(next);
            var (text, stopped) = stops.Push(decoder?.Next(next) ?? string.Empty);
            if (stopped)
            {
                yield return new GenerationUpdate { TokenId = next, Text = text, PromptTokens = promptIds.Count, OutputTokens = produced, TimeToFirstToken = ttft };
                yield return Final(GenerationFinishReason.StopSequence, string.Empty);
                yield break;
            }

            yield return new GenerationUpdate { TokenId = next, Text = text, PromptTokens = promptIds.Count, OutputTokens = produced, TimeToFirstToken = ttft };
            if (produced < options.MaxNewTokens)
            {
                // The state's own buffer: no allocation per token.
                logits = state.AppendOneInPlace(next, ct);
            }
        }

        float[] LastRow(float[] all, Action<float[]> sink)
        {
            sink(all);
            return all.AsSpan(all.Length - vocab).ToArray();
        }

        GenerationUpdate Final(GenerationFinishReason reason, string text) =>
            new() { Text = text, FinishReason = reason, PromptTokens = promptIds.Count, OutputTokens = produced, TimeToFirstToken = ttft };
    }
}
