namespace EdgeInfinite.Corpus.Recall;

/// <summary>The seeds a held-out recall run may use.</summary>
public enum RecallSeedSet
{
    /// <summary>Development seeds: for comparing and choosing recipes.</summary>
    Dev,

    /// <summary>The reporting seed: only for the numbers that are published, never for choosing a recipe.</summary>
    Report,
}
