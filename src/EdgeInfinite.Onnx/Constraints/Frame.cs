namespace EdgeInfinite.Onnx.Constraints;

/// <summary>One level of the matcher's stack; a plain struct so a whole state copies with one block copy.</summary>
internal struct Frame
{
    /// <summary>The frame kind.</summary>
    public FrameKind Kind;

    /// <summary>The parse phase within the frame (kind-specific).</summary>
    public byte Phase;

    /// <summary>The node (value, object, array, string, number) or literal set (literal) index.</summary>
    public int Node;

    /// <summary>Kind-specific: whitespace run, digit count, literal position, pending UTF-8 bytes, open-tag match length.</summary>
    public int A;

    /// <summary>Kind-specific: object property, array item count, literal range start, UTF-8 byte bounds.</summary>
    public int B;

    /// <summary>Kind-specific: literal range end, whitespace run of objects and arrays.</summary>
    public int C;

    /// <summary>An object's properties seen so far (bit i = property i).</summary>
    public ulong Seen;
}
