namespace EdgeInfinite.Onnx.Constraints;

/// <summary>A frame to push: a value of a node, or a literal set.</summary>
/// <param name="Kind">The frame kind (<see cref="FrameKind.Value"/>, <see cref="FrameKind.Literal"/> or <see cref="FrameKind.Free"/>).</param>
/// <param name="Index">The node or literal-set index.</param>
internal readonly record struct FrameTemplate(FrameKind Kind, int Index);
