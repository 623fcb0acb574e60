namespace EdgeInfinite.Onnx.Constraints;

/// <summary>One compiled schema: the types it allows and, per type, the constraints the matcher enforces.</summary>
internal sealed class GrammarNode
{
    /// <summary>Gets or sets the allowed types (ignored when <see cref="EnumSet"/> is set).</summary>
    public JsonValueTypes Types { get; set; } = JsonValueTypes.Any;

    /// <summary>Gets or sets the literal set of an <c>enum</c>/<c>const</c> (each value's compact JSON), or -1.</summary>
    public int EnumSet { get; set; } = -1;

    /// <summary>Gets or sets the literal set of the keywords <c>true</c>/<c>false</c>/<c>null</c> this node allows, or -1.</summary>
    public int KeywordSet { get; set; } = -1;

    /// <summary>Gets or sets the declared property names of an object.</summary>
    public string[] PropertyNames { get; set; } = [];

    /// <summary>Gets or sets the node of each declared property.</summary>
    public int[] PropertyNodes { get; set; } = [];

    /// <summary>Gets or sets the bytes of each declared property's key as written (quotes included).</summary>
    public int[] KeyLengths { get; set; } = [];

    /// <summary>Gets or sets the bit mask of required properties (bit i = property i).</summary>
    public ulong RequiredMask { get; set; }

    /// <summary>Gets or sets the literal set of the declared keys (each key as a JSON string, tagged by property index), or -1 when keys are free.</summary>
    public int KeySet { get; set; } = -1;

    /// <summary>Gets or sets the node of the values of free keys (objects without declared properties), or -1.</summary>
    public int AdditionalNode { get; set; } = -1;

    /// <summary>Gets or sets the node of an array's items.</summary>
    public int ItemsNode { get; set; }

    /// <summary>Gets or sets an array's fewest items.</summary>
    public int MinItems { get; set; }

    /// <summary>Gets or sets an array's most items.</summary>
    public int MaxItems { get; set; } = int.MaxValue;
}
