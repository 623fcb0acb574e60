namespace EdgeInfinite.Onnx.Constraints;

/// <summary>The JSON types a grammar node allows (JSON Schema's <c>type</c>).</summary>
[Flags]
internal enum JsonValueTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Integer = 4,
    Number = 8,
    String = 16,
    Array = 32,
    Object = 64,
    Any = Null | Boolean | Integer | Number | String | Array | Object,
}
