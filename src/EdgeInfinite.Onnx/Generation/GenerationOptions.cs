using EdgeInfinite.Onnx.Constraints;
using EdgeInfinite.Onnx.Inference;

namespace EdgeInfinite.Onnx.Generation;

/// <summary>Settings of one generation: length, sampling, stops and route.</summary>
public sealed class GenerationOptions
{
    /// <summary>Gets or sets the maximum number of new tokens.</summary>
    public int MaxNewTokens { get; set; } = 256;

    /// <summary>Gets or sets a value indicating whether to take the most likely token (ignores the sampling settings).</summary>
    public bool Greedy { get; set; }

    /// <summary>Gets or sets the softmax temperature; 0 means greedy.</summary>
    public float Temperature { get; set; } = 1f;

    /// <summary>Gets or sets the number of most likely tokens to sample from; 0 disables top-k.</summary>
    public int TopK { get; set; }

    /// <summary>Gets or sets the nucleus probability mass; 1 disables top-p.</summary>
    public float TopP { get; set; } = 1f;

    /// <summary>Gets or sets the repetition penalty (transformers semantics); 1 disables it.</summary>
    public float RepetitionPenalty { get; set; } = 1f;

    /// <summary>Gets or sets the sampling seed; <see langword="null"/> for a random one.</summary>
    public int? Seed { get; set; }

    /// <summary>Gets or sets the ids that end generation; <see langword="null"/> uses the package's EOS ids.</summary>
    public IList<int>? StopTokenIds { get; set; }

    /// <summary>Gets or sets strings that end generation; the text is cut before them (needs a tokenizer).</summary>
    public IList<string> StopSequences { get; set; } = [];

    /// <summary>
    /// Gets or sets the grammar the output must follow (constrained decoding), or <see langword="null"/> for free text.
    /// Tokens the grammar cannot take next are masked before the repetition penalty, temperature, top-k and top-p; a
    /// stop token is allowed only where the output is complete, and generation stops once nothing more may follow.
    /// </summary>
    public JsonGrammar? Constraint { get; set; }

    /// <summary>Gets or sets the route.</summary>
    public Route Route { get; set; } = Route.Auto;

    /// <summary>The size of a request (prompt plus output budget) for routing and cache sizing, saturated at <see cref="int.MaxValue"/> instead of overflowing.</summary>
    /// <param name="promptTokens">The prompt's token count.</param>
    /// <returns><c>promptTokens + MaxNewTokens</c>, at most <see cref="int.MaxValue"/>.</returns>
    public int RequestTokens(int promptTokens) => (int)Math.Min(int.MaxValue, (long)promptTokens + MaxNewTokens);

    /// <summary>Creates a copy.</summary>
    /// <returns>The copy.</returns>
    public GenerationOptions Clone()
    {
        var copy = (GenerationOptions)MemberwiseClone();
        copy.StopTokenIds = StopTokenIds is null ? null : [.. StopTokenIds];
        copy.StopSequences = [.. StopSequences];
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxNewTokens < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), MaxNewTokens, "MaxNewTokens must be zero or more.");
        }

        if (!(Temperature >= 0) || float.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "Temperature must be a finite number ≥ 0.");
        }

        if (TopK < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(TopK), TopK, "TopK must be zero (off) or positive.");
        }

        if (!(TopP > 0 && TopP <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TopP), TopP, "TopP must be in (0, 1].");
        }

        if (!(RepetitionPenalty > 0) || float.IsInfinity(RepetitionPenalty))
        {
            throw new ArgumentOutOfRangeException(nameof(RepetitionPenalty), RepetitionPenalty, "RepetitionPenalty must be a finite number > 0.");
        }

        if (StopSequences.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("StopSequences must not contain empty strings.", nameof(StopSequences));
        }
    }
}
