namespace EdgeInfinite.Onnx.Constraints;

/// <summary>What a matcher frame is parsing.</summary>
internal enum FrameKind : byte
{
    /// <summary>A value of a node, before its first byte (leading whitespace allowed).</summary>
    Value,

    /// <summary>An object.</summary>
    Object,

    /// <summary>An array.</summary>
    Array,

    /// <summary>A string (after its opening quote).</summary>
    String,

    /// <summary>A number.</summary>
    Number,

    /// <summary>One of a literal set's byte strings.</summary>
    Literal,

    /// <summary>Free text, watched for the grammar's open tag.</summary>
    Free,
}
