namespace EdgeInfinite.Onnx.Constraints;

/// <summary>
/// Byte strings the output must spell one of, sorted ordinally so the candidates sharing a prefix form one
/// contiguous range (the matcher's state is just the position and that range). Each item carries a tag (its index
/// in the caller's list: a property index, an alternative) and optionally frames to push once it is complete.
/// </summary>
internal sealed class LiteralSet
{
    public LiteralSet(IReadOnlyList<byte[]> items, IReadOnlyList<FrameTemplate[]?>? continuations = null)
    {
        var order = Enumerable.Range(0, items.Count).ToArray();
        Array.Sort(order, (a, b) => items[a].AsSpan().SequenceCompareTo(items[b]));
        Items = [.. order.Select(i => items[i])];
        Tags = order;
        Continuations = [.. order.Select(i => continuations?[i])];
        for (int i = 1; i < Items.Length; i++)
        {
            if (Items[i].AsSpan().SequenceEqual(Items[i - 1]))
            {
                throw new ArgumentException($"The literal '{System.Text.Encoding.UTF8.GetString(Items[i])}' is listed twice.", nameof(items));
            }
        }
    }

    /// <summary>Gets the items, sorted.</summary>
    public byte[][] Items { get; }

    /// <summary>Gets each sorted item's index in the list it was made from.</summary>
    public int[] Tags { get; }

    /// <summary>Gets the frames each sorted item pushes once complete (bottom first), or <see langword="null"/>.</summary>
    public FrameTemplate[]?[] Continuations { get; }
}
