using EdgeInfinite.ModelBuilder;

namespace EdgeInfinite.Benchmarks;

/// <summary>The graph layouts the benchmark knows by name; <c>default</c> is <see cref="GraphLayoutOptions.Default"/>.</summary>
internal static class LayoutCatalog
{
    public static IReadOnlyDictionary<string, GraphLayoutOptions> All { get; } = new Dictionary<string, GraphLayoutOptions>(StringComparer.Ordinal)
    {
        ["default"] = GraphLayoutOptions.Default,
        ["plain-norms"] = GraphLayoutOptions.Default with { FusedNorms = false },
        ["separate-projections"] = GraphLayoutOptions.Default with { PackedProjections = false },
        ["unfused-attention"] = GraphLayoutOptions.Default with { Attention = AttentionLayout.Unfused },
        ["all-unfused"] = new GraphLayoutOptions { FusedNorms = false, PackedProjections = false, Attention = AttentionLayout.Unfused },
    };

    public static GraphLayoutOptions Get(string name) =>
        All.TryGetValue(name, out var layout) ? layout : throw new ArgumentException($"Unknown layout '{name}' (known: {string.Join(", ", All.Keys)}).");
}
