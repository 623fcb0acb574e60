namespace EdgeInfinite.Corpus.Recall;

/// <summary>Which prompts a recall evaluation asks.</summary>
public enum RecallSuite
{
    /// <summary>The corpus's own needle and fact templates and filler grammar: in-distribution recall.</summary>
    Corpus,

    /// <summary>
    /// Paraphrased statements, questions and acknowledgements the corpus never uses, prose from a separate generator
    /// and three-fact prompts: recall of the fact, not of the training template.
    /// </summary>
    HeldOut,
}
