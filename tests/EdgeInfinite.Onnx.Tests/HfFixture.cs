using System.Runtime.InteropServices;
using System.Text.Json;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>A transformers reference fixture under fixtures/hf/&lt;arch&gt; (see fixtures/README.md).</summary>
public sealed class HfFixture
{
    private HfFixture(string directory)
    {
        Directory = directory;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "reference.json")));
        var r = doc.RootElement;
        PromptIds = r.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        GreedyNewIds = r.GetProperty("greedy_new_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        LongPromptIds = r.GetProperty("long_prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        PromptLogits = ReadF32(Path.Combine(directory, "prompt_logits.f32"));
        LongLast4Logits = ReadF32(Path.Combine(directory, "long_last4_logits.f32"));
    }

    public string Directory { get; }

    public int[] PromptIds { get; }

    public int[] GreedyNewIds { get; }

    public int[] LongPromptIds { get; }

    public float[] PromptLogits { get; }

    public float[] LongLast4Logits { get; }

    public static string Root => Path.Combine(AppContext.BaseDirectory, "fixtures");

    public static HfFixture Load(string arch) => new(Path.Combine(Root, "hf", arch));

    public static float[] ReadF32(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    public static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }
}
