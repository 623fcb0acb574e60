using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>Element sizes and float32 widening for the floating-point safetensors dtypes.</summary>
internal static class SafeTensorDType
{
    public static int SizeOf(string dtype, string tensor, string path) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        "F64" => 8,
        _ => throw new InvalidDataException($"Tensor '{tensor}' in '{path}' has dtype '{dtype}'; only F32, F16, BF16 and F64 are supported."),
    };

    public static float[] ToFloat32(string dtype, byte[] raw, string tensor, string path)
    {
        switch (dtype)
        {
            case "F32":
                return MemoryMarshal.Cast<byte, float>(raw).ToArray();
            case "F64":
                {
                    var src = MemoryMarshal.Cast<byte, double>(raw);
                    var dst = new float[src.Length];
                    for (int i = 0; i < src.Length; i++)
                    {
                        dst[i] = (float)src[i];
                    }

                    return dst;
                }

            case "F16":
                {
                    var src = MemoryMarshal.Cast<byte, Half>(raw);
                    var dst = new float[src.Length];
                    for (int i = 0; i < src.Length; i++)
                    {
                        dst[i] = (float)src[i];
                    }

                    return dst;
                }

            case "BF16":
                {
                    var dst = new float[raw.Length / 2];
                    for (int i = 0; i < dst.Length; i++)
                    {
                        // bfloat16 is the top half of a float32.
                        uint bits = (uint)BinaryPrimitives.ReadUInt16LittleEndian(raw.AsSpan(2 * i)) << 16;
                        dst[i] = BitConverter.UInt32BitsToSingle(bits);
                    }

                    return dst;
                }

            default:
                throw new InvalidDataException($"Tensor '{tensor}' in '{path}' has dtype '{dtype}'; only F32, F16, BF16 and F64 are supported.");
        }
    }
}
