using static TorchSharp.torch;

namespace EdgeInfinite.Training.Model;

/// <summary>What <see cref="GatedTransformer.ForwardLong"/> computes.</summary>
public sealed class LongRouteOptions
{
    /// <summary>Gets or sets a value indicating whether evicted tokens enter memory (otherwise they are dropped: sink + window only).</summary>
    public bool MemoryEnabled { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the gate mixes the memory read in once memory holds a token (the engine does so when the package's gates are trained).</summary>
    public bool GatesEnabled { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether the logits of every position are returned.</summary>
    public bool ReturnLogits { get; set; } = true;

    /// <summary>Gets or sets the token ids <c>[batch, tokens]</c> whose next-token cross-entropy, over the chunks after the first eviction, is the loss (usually the input ids); <see langword="null"/> for no loss.</summary>
    public Tensor? Targets { get; set; }

    /// <summary>Gets or sets the weight of predicting each target token <c>[batch, tokens]</c>; the loss is then the weighted mean. <see langword="null"/> weighs every token 1.</summary>
    public Tensor? Weights { get; set; }

    /// <summary>Gets or sets k: the state (cache and memory) is detached from the graph every k segments (truncated back-propagation); 0 keeps the whole sequence's graph.</summary>
    public int DetachEverySegments { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the loss is back-propagated window by window (every
    /// <see cref="DetachEverySegments"/> segments, and at the end) during the forward pass, freeing each window's graph
    /// before the next one is built: memory then grows with k segments, not with the sequence. The gradients equal
    /// those of <c>Loss.backward()</c> after a plain pass with the same truncation; the returned loss carries no graph.
    /// Needs <see cref="Targets"/>.
    /// </summary>
    public bool BackwardPerWindow { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the sequence is run chunk by chunk, as the engine runs it. By default, when
    /// nothing is detached and the window is a whole number of segments, all segments of a layer run at once (the same
    /// function, several times faster to train); truncated back-propagation and other windows always run chunk by chunk.
    /// </summary>
    public bool ChunkByChunk { get; set; }

    /// <summary>
    /// Gets or sets the memory the sequences start from (training only: the engine always starts empty). Sequences
    /// whose memory holds tokens read it through the gate from their first token, the sink's included; the others run
    /// as from an empty state. Ignored when <see cref="MemoryEnabled"/> is false.
    /// </summary>
    public LongRouteMemory? InitialMemory { get; set; }

    /// <summary>Gets or sets a value indicating whether <see cref="LongRouteRun.Memory"/> returns the memory at the end (detached; the tokens still in the window are not in it).</summary>
    public bool ReturnMemory { get; set; }
}
