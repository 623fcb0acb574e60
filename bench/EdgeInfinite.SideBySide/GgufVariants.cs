using EdgeInfinite.ModelBuilder.Gguf;
using LLama;
using LLama.Native;

namespace EdgeInfinite.SideBySide;

/// <summary>
/// The GGUF files llama.cpp runs: float32 written by this project's exporter from the checkpoint, Q8_0 and Q4_0 made
/// from that float32 file by llama.cpp's own quantizer (as a llama.cpp user makes them), each written once per work folder.
/// </summary>
internal static class GgufVariants
{
    /// <summary>Returns the GGUF for a precision (fp32 → F32, int8 → Q8_0, int4 → Q4_0), writing it if missing.</summary>
    public static string Ensure(string checkpoint, string work, string precision, int? threads)
    {
        string f32 = Path.Combine(work, "model-f32.gguf");
        if (!File.Exists(f32))
        {
            string temp = f32 + ".partial";
            GgufExporter.Export(checkpoint, temp);
            File.Move(temp, f32, overwrite: true);
        }

        if (precision == "fp32")
        {
            return f32;
        }

        var (type, name) = precision switch
        {
            "int8" => (LLamaFtype.MOSTLY_Q8_0, "q8_0"),
            "int4" => (LLamaFtype.MOSTLY_Q4_0, "q4_0"),
            _ => throw new ArgumentException($"unknown precision '{precision}' (fp32, int8, int4)"),
        };
        string quantized = Path.Combine(work, $"model-{name}.gguf");
        if (!File.Exists(quantized))
        {
            Console.Error.WriteLine($"side-by-side: quantizing {f32} to {name.ToUpperInvariant()} with llama.cpp's quantizer ...");
            string temp = quantized + ".partial";

            // The quantizer's entry points do not load the native library themselves; this call does.
            NativeApi.llama_empty_call();
            if (!LLamaQuantizer.Quantize(f32, temp, type, threads ?? -1))
            {
                throw new InvalidOperationException($"llama.cpp's quantizer failed on '{f32}' ({name})");
            }

            File.Move(temp, quantized, overwrite: true);
        }

        return quantized;
    }

    /// <summary>Gets the name llama.cpp gives a precision's weight type.</summary>
    public static string Label(string precision) => precision switch
    {
        "fp32" => "F32",
        "int8" => "Q8_0",
        "int4" => "Q4_0",
        _ => precision,
    };
}
