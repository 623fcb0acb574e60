namespace EdgeInfinite.Onnx.Constraints;

/// <summary>Bounds that keep a constrained JSON document finite and parseable by .NET.</summary>
public sealed class JsonGrammarOptions
{
    /// <summary>Gets or sets the most whitespace bytes allowed in one gap between tokens of the document (0 forces compact JSON).</summary>
    public int MaxWhitespaceRun { get; set; } = 8;

    /// <summary>Gets or sets the most digits of an <c>integer</c> value (9 keeps every value inside <see cref="int"/>).</summary>
    public int MaxIntegerDigits { get; set; } = 9;

    /// <summary>Gets or sets the most digits of each part (integer, fraction, exponent) of a <c>number</c> value.</summary>
    public int MaxNumberDigits { get; set; } = 15;

    /// <summary>Gets or sets the deepest nesting of objects and arrays (the matcher's stack is bounded by it).</summary>
    public int MaxNestingDepth { get; set; } = 32;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MaxWhitespaceRun is < 0 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxWhitespaceRun), MaxWhitespaceRun, "MaxWhitespaceRun must be in 0..256.");
        }

        if (MaxIntegerDigits is < 1 or > 18)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIntegerDigits), MaxIntegerDigits, "MaxIntegerDigits must be in 1..18.");
        }

        if (MaxNumberDigits is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNumberDigits), MaxNumberDigits, "MaxNumberDigits must be in 1..64.");
        }

        if (MaxNestingDepth is < 1 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxNestingDepth), MaxNestingDepth, "MaxNestingDepth must be in 1..256.");
        }
    }
}
