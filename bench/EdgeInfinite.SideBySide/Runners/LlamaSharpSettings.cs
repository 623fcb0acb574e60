using LLama.Native;

namespace EdgeInfinite.SideBySide.Runners;

/// <summary>How llama.cpp's context is configured: the way users run it, or the configuration that reproduces the reference logits.</summary>
/// <param name="FlashAttention">Whether flash attention is on.</param>
/// <param name="KvCache">The K and V cache element type.</param>
internal sealed record LlamaSharpSettings(bool FlashAttention, GGMLType KvCache)
{
    /// <summary>Gets what a user configures: flash attention on, float16 KV cache (llama.cpp's defaults on CPU).</summary>
    public static LlamaSharpSettings User { get; } = new(true, GGMLType.GGML_TYPE_F16);

    /// <summary>Gets the reference-logit configuration: float32 KV cache, no flash attention.</summary>
    public static LlamaSharpSettings Reference { get; } = new(false, GGMLType.GGML_TYPE_F32);

    /// <summary>Gets a short description for tables.</summary>
    public string Description => $"{(FlashAttention ? "flash attention" : "no flash attention")}, {(KvCache == GGMLType.GGML_TYPE_F16 ? "F16" : "F32")} KV";
}
