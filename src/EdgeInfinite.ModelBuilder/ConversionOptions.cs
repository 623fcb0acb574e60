using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder;

/// <summary>Options of <see cref="PackageBuilder.Convert"/>.</summary>
public sealed class ConversionOptions
{
    /// <summary>Gets or sets the long-route settings written into the package.</summary>
    public LongRouteSettings LongRoute { get; set; } = new();

    /// <summary>Gets or sets the number of positions the rotary caches cover; <see langword="null"/> uses the checkpoint's <c>max_position_embeddings</c>.</summary>
    public int? MaxPositions { get; set; }

    /// <summary>Gets or sets a value indicating whether an existing output folder is replaced.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Gets or sets the graph layout (which ONNX Runtime fused ops to use); the default is the measured fastest.</summary>
    public GraphLayoutOptions Layout { get; set; } = GraphLayoutOptions.Default;

    /// <summary>
    /// Gets or sets the weight precision: float32 (the default), or int8/int4 block-quantized projections, LM head and
    /// embeddings (<c>MatMulNBits</c>/<c>GatherBlockQuantized</c>; docs/quantization.md).
    /// </summary>
    public WeightSettings Weights { get; set; } = WeightSettings.Float32;

    /// <summary>Gets or sets the display name; <see langword="null"/> uses the checkpoint folder's name.</summary>
    public string? Name { get; set; }
}
