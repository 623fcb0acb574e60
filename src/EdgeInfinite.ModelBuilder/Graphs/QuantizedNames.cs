using System.Globalization;

namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>The initializer names of one block-quantized weight as one op reads it.</summary>
/// <param name="Data">The weight bytes: <see cref="BlockView"/> for <c>MatMulNBits</c> or <see cref="RowsView"/> for <c>GatherBlockQuantized</c>.</param>
/// <param name="Scales">The scales, <c>[rows, blocks]</c> float (<see cref="ScalesOf"/>).</param>
internal sealed record QuantizedNames(string Data, string Scales)
{
    /// <summary>Gets the name of a weight's bytes as <c>[rows, blocks, blob]</c> uint8 (<c>MatMulNBits</c>).</summary>
    /// <param name="name">The weight's Hugging Face name.</param>
    /// <param name="bits">4 or 8.</param>
    /// <returns>The initializer name.</returns>
    public static string BlockView(string name, int bits) => string.Create(CultureInfo.InvariantCulture, $"{name}_Q{bits}");

    /// <summary>Gets the name of the same bytes as <c>[rows, columns·bits/8]</c> uint8 (<c>GatherBlockQuantized</c>).</summary>
    /// <param name="name">The weight's Hugging Face name.</param>
    /// <param name="bits">4 or 8.</param>
    /// <returns>The initializer name.</returns>
    public static string RowsView(string name, int bits) => BlockView(name, bits) + "_rows";

    /// <summary>Gets the name of a weight's scales.</summary>
    /// <param name="name">The weight's Hugging Face name.</param>
    /// <returns>The initializer name.</returns>
    public static string ScalesOf(string name) => name + "_scales";
}
