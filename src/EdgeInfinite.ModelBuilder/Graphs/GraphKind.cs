namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>Which of the package's two graphs to build.</summary>
internal enum GraphKind
{
    /// <summary>The EdgeInfinite chunk graph: both routes, with memory inputs and the gate.</summary>
    Chunk,

    /// <summary>The standard decoder graph that ONNX Runtime GenAI runs (as its own model builder lays it out for CPU).</summary>
    GenAiDecoder,
}
