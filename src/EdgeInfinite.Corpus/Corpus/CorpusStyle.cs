namespace EdgeInfinite.Corpus.Corpus;

/// <summary>How the corpus words its facts and filler.</summary>
public enum CorpusStyle
{
    /// <summary>Two statements and two questions per fact, one needle sentence, one filler grammar (the pinned default corpus).</summary>
    Template,

    /// <summary>
    /// Many phrasings per fact, needle, question and acknowledgement with the value in varied positions, and several
    /// filler generators (short and long sentences, lists, dialogue): a corpus that teaches finding the fact rather
    /// than matching one template. Values stay single-token words of <see cref="Lexicon"/>.
    /// </summary>
    Varied,
}
