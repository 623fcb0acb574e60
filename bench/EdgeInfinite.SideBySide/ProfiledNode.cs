namespace EdgeInfinite.SideBySide;

/// <summary>One node kernel's time in an ONNX Runtime profile: node name, operator type, duration in microseconds.</summary>
internal sealed record ProfiledNode(string Name, string Op, long DurationUs);
