using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeInfinite.ModelBuilder.Gguf;
using LLama;
using LLama.Common;
using LLama.Native;

namespace EdgeInfinite.ModelBuilder.Tests;

public sealed class GgufExportTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-gguf-" + Guid.NewGuid().ToString("N"));

    public GgufExportTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("llama", false, 1e-4)]
    [InlineData("qwen2", false, 1e-4)]
    [InlineData("llama", true, 5e-2)]
    public void Export_FixtureCheckpoint_LlamaCppLogitsMatchTransformers(string arch, bool float16, double tolerance)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "fixtures", "hf", arch);
        string gguf = Path.Combine(_root, $"{arch}-{(float16 ? "f16" : "f32")}.gguf");
        using var reference = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(source, "reference.json")));
        var ids = reference.RootElement.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(Path.Combine(source, "prompt_logits.f32"))).ToArray();

        GgufExporter.Export(source, gguf, float16);

        // float32 KV cache and no flash attention: llama.cpp's exact path, so only the weights' format differs.
        var parameters = new ModelParams(gguf) { ContextSize = 256, BatchSize = 64, UBatchSize = 64, TypeK = GGMLType.GGML_TYPE_F32, TypeV = GGMLType.GGML_TYPE_F32, FlashAttention = false, Threads = 1 };
        using var weights = LLamaWeights.LoadFromFile(parameters);
        using var context = weights.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Length; i++)
        {
            batch.Add((LLamaToken)ids[i], i, LLamaSeqId.Zero, logits: true);
        }

        Assert.Equal(DecodeResult.Ok, context.Decode(batch));
        int vocab = expected.Length / ids.Length;
        double max = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            var logits = context.NativeHandle.GetLogitsIth(i);
            for (int j = 0; j < vocab; j++)
            {
                max = Math.Max(max, Math.Abs(logits[j] - expected[i * vocab + j]));
            }
        }

        Assert.True(max <= tolerance, $"max abs diff {max}");
        Assert.False(File.Exists(gguf + ".partial"));
    }

    [Fact]
    public void Export_Phi3_ThrowsNamingTheFamily()
    {
        string dir = Path.Combine(_root, "phi3");
        Directory.CreateDirectory(dir);
        string llama = Path.Combine(AppContext.BaseDirectory, "fixtures", "hf", "llama");
        File.Copy(Path.Combine(llama, "model.safetensors"), Path.Combine(dir, "model.safetensors"));
        File.WriteAllText(Path.Combine(dir, "config.json"), File.ReadAllText(Path.Combine(llama, "config.json")).Replace("\"llama\"", "\"phi3\"", StringComparison.Ordinal));

        var ex = Assert.ThrowsAny<Exception>(() => GgufExporter.Export(dir, Path.Combine(_root, "phi3.gguf")));

        Assert.Contains("phi3", ex.Message);
        Assert.False(File.Exists(Path.Combine(_root, "phi3.gguf")));
    }
}
