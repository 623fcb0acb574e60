namespace EdgeInfinite.Corpus.Recall;

/// <summary>How the model holds the prompt during a recall trial.</summary>
public enum RecallMode
{
    /// <summary>The long route with memory: sink + window raw, older tokens compressed into memory.</summary>
    Long,

    /// <summary>The long route without memory: sink + window only; tokens leaving the window are dropped.</summary>
    MemoryOff,

    /// <summary>The short route: full attention over the whole prompt (only where it fits in the package's max positions).</summary>
    Short,
}
