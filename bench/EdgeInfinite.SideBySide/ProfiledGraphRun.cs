namespace EdgeInfinite.SideBySide;

/// <summary>One graph run in an ONNX Runtime profile (start and duration in microseconds) and the node kernels inside it.</summary>
internal sealed record ProfiledGraphRun(long StartUs, long DurationUs, List<ProfiledNode> Nodes);
