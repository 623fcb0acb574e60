namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>
/// Writes each named weight once into the package's external-data file and hands out its location, so the
/// chunk graph and the standard decoder graph share one copy of every weight.
/// </summary>
internal sealed class WeightStore(ExternalDataWriter writer)
{
    private readonly Dictionary<string, (long[] Dims, (long, long) Range)> _written = new(StringComparer.Ordinal);

    public long BytesWritten { get; private set; }

    /// <summary>Registers a weight (written on first use) and adds it to the graph as an initializer.</summary>
    public string Use(OnnxGraphBuilder graph, string name, long[] dims, Func<float[]> values)
    {
        if (!_written.TryGetValue(name, out var entry))
        {
            var data = values();
            long expected = dims.Aggregate(1L, (a, b) => a * b);
            if (data.LongLength != expected)
            {
                throw new InvalidOperationException($"Weight '{name}' has {data.LongLength} values; its shape [{string.Join(",", dims)}] needs {expected}.");
            }

            var range = writer.Append(data);
            BytesWritten += range.Length;
            entry = (dims, range);
            _written[name] = entry;
        }

        return graph.ExternalInitializer(name, entry.Dims, writer.Location, entry.Range);
    }
}
