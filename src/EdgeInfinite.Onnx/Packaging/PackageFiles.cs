namespace EdgeInfinite.Onnx.Packaging;

/// <summary>The file names of a package, relative to its folder.</summary>
public sealed record PackageFiles
{
    /// <summary>Gets the EdgeInfinite chunk graph (both routes).</summary>
    public string ChunkGraph { get; init; } = "edgeinfinite.onnx";

    /// <summary>Gets the standard decoder graph that ONNX Runtime GenAI runs.</summary>
    public string DecoderGraph { get; init; } = "model.onnx";

    /// <summary>Gets the external-data file that both graphs share.</summary>
    public string Weights { get; init; } = "model.onnx.data";

    /// <summary>Gets ONNX Runtime GenAI's config for the decoder graph and the tokenizer.</summary>
    public string GenAiConfig { get; init; } = "genai_config.json";

    /// <summary>Gets the tokenizer file, or <see langword="null"/> when the package has no tokenizer (id prompts only).</summary>
    public string? Tokenizer { get; init; } = "tokenizer.json";
}
