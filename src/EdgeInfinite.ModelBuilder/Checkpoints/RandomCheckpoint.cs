using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// Writes a Hugging Face-style checkpoint folder (<c>config.json</c> + <c>model.safetensors</c>, float32) with random
/// weights of given shapes: matrices and biases N(0, <see cref="RandomCheckpointSpec.InitStd"/>²), norm weights 1.
/// The values depend only on the seed, the tensor's index and the element's index (a counter-based generator), so
/// the same spec and seed give the same bytes, however many threads generate them.
/// </summary>
public static class RandomCheckpoint
{
    private const int BlockElements = 1 << 20;

    /// <summary>Writes the checkpoint. The folder is written under a hidden sibling name and moved into place when complete.</summary>
    /// <param name="directory">The checkpoint folder to create.</param>
    /// <param name="spec">The shapes.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="overwrite">Whether an existing folder is replaced.</param>
    /// <param name="progress">Receives the fraction of bytes written.</param>
    /// <param name="cancellationToken">Cancels the write (nothing is left behind).</param>
    /// <exception cref="IOException">The folder exists and <paramref name="overwrite"/> is false.</exception>
    public static void Write(string directory, RandomCheckpointSpec spec, int seed, bool overwrite = false, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        string target = Path.GetFullPath(directory);
        if ((File.Exists(target) || Directory.Exists(target)) && !overwrite)
        {
            throw new IOException($"Output '{target}' already exists; choose another folder or allow overwriting.");
        }

        string parent = Path.GetDirectoryName(target) ?? ".";
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, "config.json"), Config(spec).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            WriteSafeTensors(Path.Combine(staging, "model.safetensors"), Tensors(spec), seed, spec.InitStd, progress, cancellationToken);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }
            else if (File.Exists(target))
            {
                File.Delete(target);
            }

            Directory.Move(staging, target);
        }
        catch
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Lists the checkpoint's tensors in file order, named and shaped as the family's Hugging Face checkpoints are.</summary>
    internal static List<RandomTensor> Tensors(RandomCheckpointSpec spec)
    {
        int d = spec.HiddenSize, inter = spec.IntermediateSize, qOut = spec.NumHeads * spec.HeadDim, kvOut = spec.NumKvHeads * spec.HeadDim;
        var list = new List<RandomTensor> { new("model.embed_tokens.weight", [spec.VocabSize, d], false) };
        for (int i = 0; i < spec.NumLayers; i++)
        {
            string p = $"model.layers.{i}.";
            list.Add(new(p + "input_layernorm.weight", [d], true));
            list.Add(new(p + "self_attn.q_proj.weight", [qOut, d], false));
            list.Add(new(p + "self_attn.k_proj.weight", [kvOut, d], false));
            list.Add(new(p + "self_attn.v_proj.weight", [kvOut, d], false));
            if (spec.QkvBias)
            {
                list.Add(new(p + "self_attn.q_proj.bias", [qOut], false));
                list.Add(new(p + "self_attn.k_proj.bias", [kvOut], false));
                list.Add(new(p + "self_attn.v_proj.bias", [kvOut], false));
            }

            list.Add(new(p + "self_attn.o_proj.weight", [d, qOut], false));
            if (spec.ModelType == "qwen3")
            {
                list.Add(new(p + "self_attn.q_norm.weight", [spec.HeadDim], true));
                list.Add(new(p + "self_attn.k_norm.weight", [spec.HeadDim], true));
            }

            list.Add(new(p + "post_attention_layernorm.weight", [d], true));
            list.Add(new(p + "mlp.gate_proj.weight", [inter, d], false));
            list.Add(new(p + "mlp.up_proj.weight", [inter, d], false));
            list.Add(new(p + "mlp.down_proj.weight", [d, inter], false));
        }

        list.Add(new("model.norm.weight", [d], true));
        if (!spec.TieWordEmbeddings)
        {
            list.Add(new("lm_head.weight", [spec.VocabSize, d], false));
        }

        return list;
    }

    /// <summary>Fills <paramref name="destination"/> with the tensor's values from element <paramref name="start"/> on (start must be even).</summary>
    internal static void Fill(Span<float> destination, int seed, int tensorIndex, long start, double std)
    {
        ulong key = Mix(((ulong)(uint)seed << 32) ^ (0xD1B54A32D192ED03UL * (ulong)(tensorIndex + 1)));
        for (int i = 0; i < destination.Length; i += 2)
        {
            // Box–Muller on two 53-bit uniforms from a counter-based SplitMix64 stream: element pair (start + i) / 2.
            ulong pair = (ulong)(start + i) >> 1;
            double u1 = ((Mix(key + (2 * pair)) >> 11) + 1) * (1.0 / (1UL << 53));
            double u2 = (Mix(key + (2 * pair) + 1) >> 11) * (1.0 / (1UL << 53));
            double r = std * Math.Sqrt(-2.0 * Math.Log(u1));
            double angle = 2 * Math.PI * u2;
            destination[i] = (float)(r * Math.Cos(angle));
            if (i + 1 < destination.Length)
            {
                destination[i + 1] = (float)(r * Math.Sin(angle));
            }
        }
    }

    private static ulong Mix(ulong x)
    {
        ulong z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static void WriteSafeTensors(string path, List<RandomTensor> tensors, int seed, double std, IProgress<double>? progress, CancellationToken ct)
    {
        long totalBytes = tensors.Sum(t => t.ElementCount) * sizeof(float);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        SafeTensorsWriter.WriteHeader(stream, tensors.Select(t => (t.Name, t.Shape)).ToList());

        // Several blocks are generated in parallel, then written in order.
        int parallelBlocks = Math.Max(1, Environment.ProcessorCount) * 2;
        var buffers = Enumerable.Range(0, parallelBlocks).Select(_ => new float[BlockElements]).ToArray();
        long written = 0;
        for (int index = 0; index < tensors.Count; index++)
        {
            var t = tensors[index];
            long count = t.ElementCount;
            for (long start = 0; start < count; start += (long)BlockElements * parallelBlocks)
            {
                ct.ThrowIfCancellationRequested();
                int blocks = (int)Math.Min(parallelBlocks, (count - start + BlockElements - 1) / BlockElements);
                int tensorIndex = index;
                long batchStart = start;
                Parallel.For(0, blocks, b =>
                {
                    long blockStart = batchStart + ((long)b * BlockElements);
                    var span = buffers[b].AsSpan(0, (int)Math.Min(BlockElements, count - blockStart));
                    if (t.Ones)
                    {
                        span.Fill(1f);
                    }
                    else
                    {
                        Fill(span, seed, tensorIndex, blockStart, std);
                    }
                });
                for (int b = 0; b < blocks; b++)
                {
                    long blockStart = start + ((long)b * BlockElements);
                    int n = (int)Math.Min(BlockElements, count - blockStart);
                    stream.Write(MemoryMarshal.AsBytes(buffers[b].AsSpan(0, n)));
                    written += (long)n * sizeof(float);
                }

                progress?.Report((double)written / totalBytes);
            }
        }
    }

    private static JsonObject Config(RandomCheckpointSpec spec)
    {
        string architecture = spec.ModelType switch
        {
            "llama" => "LlamaForCausalLM",
            "mistral" => "MistralForCausalLM",
            "qwen2" => "Qwen2ForCausalLM",
            _ => "Qwen3ForCausalLM",
        };
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(architecture),
            ["model_type"] = spec.ModelType,
            ["vocab_size"] = spec.VocabSize,
            ["hidden_size"] = spec.HiddenSize,
            ["intermediate_size"] = spec.IntermediateSize,
            ["num_hidden_layers"] = spec.NumLayers,
            ["num_attention_heads"] = spec.NumHeads,
            ["num_key_value_heads"] = spec.NumKvHeads,
            ["head_dim"] = spec.HeadDim,
            ["max_position_embeddings"] = spec.MaxPositionEmbeddings,
            ["rope_theta"] = spec.RopeTheta,
            ["rms_norm_eps"] = spec.RmsNormEps,
            ["hidden_act"] = "silu",
            ["initializer_range"] = spec.InitStd,
            ["tie_word_embeddings"] = spec.TieWordEmbeddings,
            ["torch_dtype"] = "float32",
        };
        if (spec.ModelType is "qwen2" or "qwen3")
        {
            config["use_sliding_window"] = false;
        }

        if (spec.ModelType is "llama" or "mistral")
        {
            config["attention_bias"] = spec.QkvBias;
        }

        if (spec.BosTokenId is { } bos)
        {
            config["bos_token_id"] = bos;
        }

        if (spec.EosTokenId is { } eos)
        {
            config["eos_token_id"] = eos;
        }

        return config;
    }
}
