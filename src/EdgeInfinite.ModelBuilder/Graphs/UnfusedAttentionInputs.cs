namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>Graph values shared by every layer's unfused attention: first new position, end, total length (int64 <c>[1]</c>), causal mask <c>[T, total]</c>, cache scatter indices.</summary>
internal sealed record UnfusedAttentionInputs(string Start, string End, string Total, string Mask, string Indices);
