namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>The initializer names of one block-quantized weight in a graph.</summary>
/// <param name="Data">The <c>MatMulNBits</c> weights, <c>[rows, blocks, blob]</c> uint8.</param>
/// <param name="Scales">The scales, <c>[rows, blocks]</c> float.</param>
/// <param name="Rows">The same bytes as <c>[rows, columns·bits/8]</c> for <c>GatherBlockQuantized</c>, when asked for.</param>
internal sealed record QuantizedNames(string Data, string Scales, string? Rows);
