namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>One tensor of a random checkpoint: its Hugging Face name, shape and whether it is a norm weight (all ones).</summary>
internal sealed record RandomTensor(string Name, long[] Shape, bool Ones)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}
