using EdgeInfinite.ModelBuilder;

namespace EdgeInfinite.Benchmarks.KvCache;

/// <summary>The KV cache element types the benchmark knows by name: <c>fp32</c> (the default), <c>fp16</c> (float32 attention), <c>fp16-attn</c> (float16 attention), <c>int8</c>.</summary>
internal static class KvVariant
{
    public static KvCachePrecision Parse(string name) => name switch
    {
        "fp32" => KvCachePrecision.Float32,
        "fp16" => KvCachePrecision.Float16,
        "fp16-attn" => KvCachePrecision.Float16Attention,
        "int8" => KvCachePrecision.Int8,
        _ => throw new ArgumentException($"Unknown KV cache precision '{name}' (use fp32, fp16, fp16-attn, int8)."),
    };

    public static string Name(KvCachePrecision precision) => precision switch
    {
        KvCachePrecision.Float16 => "fp16",
        KvCachePrecision.Float16Attention => "fp16-attn",
        KvCachePrecision.Int8 => "int8",
        _ => "fp32",
    };

    /// <summary>Bytes per cached element.</summary>
    public static int ElementBytes(KvCachePrecision precision) => precision switch
    {
        KvCachePrecision.Float16 or KvCachePrecision.Float16Attention => 2,
        KvCachePrecision.Int8 => 1,
        _ => 4,
    };
}
