using System.Text.Json;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Attention;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Gguf;

/// <summary>
/// Writes a checkpoint as a GGUF file that llama.cpp (and so LLamaSharp) loads: the same weights as the package,
/// for side-by-side benchmarks. Llama and Mistral use llama.cpp's <c>llama</c> architecture (query/key rows are
/// permuted from Hugging Face's rotate-half layout to llama.cpp's interleaved rotary layout), Qwen2 and Qwen3 their
/// own (rotate-half, no permutation). <c>llama3</c> rope scaling becomes a <c>rope_freqs</c> tensor. The vocabulary
/// comes from <c>tokenizer.json</c> (byte-level BPE) or, without one, placeholder tokens so token-id prompts work.
/// </summary>
public static class GgufExporter
{
    /// <summary>Exports a checkpoint folder to a GGUF file (written to a temporary name, then moved into place).</summary>
    /// <param name="checkpointDirectory">The Hugging Face checkpoint folder.</param>
    /// <param name="outputPath">The .gguf file to write.</param>
    /// <param name="float16">Store matrices as float16 (norms and biases stay float32).</param>
    public static void Export(string checkpointDirectory, string outputPath, bool float16 = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkpointDirectory);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        var checkpoint = HfCheckpoint.Open(checkpointDirectory);
        var a = checkpoint.Config.Architecture;
        string arch = a.Family switch
        {
            ModelFamily.Llama or ModelFamily.Mistral => "llama",
            ModelFamily.Qwen2 => "qwen2",
            ModelFamily.Qwen3 => "qwen3",
            _ => throw new NotSupportedException($"GGUF export supports llama, mistral, qwen2 and qwen3; not {a.Family.ToString().ToLowerInvariant()}."),
        };
        bool permute = arch == "llama";
        var weights = TransformerWeightsReader.Read(checkpoint);
        var gguf = new GgufFile();
        gguf.Add("general.architecture", arch);
        gguf.Add("general.name", Path.GetFileName(Path.GetFullPath(checkpointDirectory).TrimEnd(Path.DirectorySeparatorChar)));
        gguf.Add("general.file_type", float16 ? 1u : 0u);
        gguf.Add($"{arch}.context_length", (uint)a.MaxPositionEmbeddings);
        gguf.Add($"{arch}.embedding_length", (uint)a.HiddenSize);
        gguf.Add($"{arch}.block_count", (uint)a.NumLayers);
        gguf.Add($"{arch}.feed_forward_length", (uint)a.IntermediateSize);
        gguf.Add($"{arch}.attention.head_count", (uint)a.NumHeads);
        gguf.Add($"{arch}.attention.head_count_kv", (uint)a.NumKvHeads);
        gguf.Add($"{arch}.attention.key_length", (uint)a.HeadDim);
        gguf.Add($"{arch}.attention.value_length", (uint)a.HeadDim);
        gguf.Add($"{arch}.attention.layer_norm_rms_epsilon", (float)a.RmsNormEps);
        gguf.Add($"{arch}.rope.freq_base", (float)a.RopeTheta);
        gguf.Add($"{arch}.rope.dimension_count", (uint)a.HeadDim);
        gguf.Add($"{arch}.vocab_size", (uint)a.VocabSize);
        AddVocabulary(gguf, checkpoint);

        int d = a.HiddenSize, hd = a.HeadDim, qOut = a.NumHeads * hd, kvOut = a.NumKvHeads * hd;
        gguf.AddTensor("token_embd.weight", weights.Embedding, float16, a.VocabSize, d);
        gguf.AddTensor("output_norm.weight", weights.FinalNorm, false, d);
        if (!a.TieWordEmbeddings)
        {
            gguf.AddTensor("output.weight", weights.LmHead, float16, a.VocabSize, d);
        }

        if (a.RopeScaling is not null)
        {
            // llama.cpp divides each rotary frequency by its factor: factor = unscaled / scaled frequency.
            var scaled = RotaryEmbedding.InverseFrequencies(a);
            var unscaled = RotaryEmbedding.InverseFrequencies(a with { RopeScaling = null });
            gguf.AddTensor("rope_freqs.weight", unscaled.Select((u, i) => (float)(u / scaled[i])).ToArray(), false, hd / 2);
        }

        for (int i = 0; i < a.NumLayers; i++)
        {
            var l = weights.Layers[i];
            string p = $"blk.{i}.";
            gguf.AddTensor(p + "attn_norm.weight", l.InputNorm, false, d);
            gguf.AddTensor(p + "attn_q.weight", permute ? Interleave(l.QWeight, a.NumHeads, hd, d) : l.QWeight, float16, qOut, d);
            gguf.AddTensor(p + "attn_k.weight", permute ? Interleave(l.KWeight, a.NumKvHeads, hd, d) : l.KWeight, float16, kvOut, d);
            gguf.AddTensor(p + "attn_v.weight", l.VWeight, float16, kvOut, d);
            gguf.AddTensor(p + "attn_output.weight", l.OWeight, float16, d, qOut);
            AddOptional(gguf, p + "attn_q.bias", l.QBias is null ? null : permute ? Interleave(l.QBias, a.NumHeads, hd, 1) : l.QBias, qOut);
            AddOptional(gguf, p + "attn_k.bias", l.KBias is null ? null : permute ? Interleave(l.KBias, a.NumKvHeads, hd, 1) : l.KBias, kvOut);
            AddOptional(gguf, p + "attn_v.bias", l.VBias, kvOut);
            AddOptional(gguf, p + "attn_output.bias", l.OBias, d);
            AddOptional(gguf, p + "attn_q_norm.weight", l.QNorm, hd);
            AddOptional(gguf, p + "attn_k_norm.weight", l.KNorm, hd);
            gguf.AddTensor(p + "ffn_norm.weight", l.PostAttentionNorm, false, d);
            gguf.AddTensor(p + "ffn_gate.weight", l.GateWeight, float16, a.IntermediateSize, d);
            gguf.AddTensor(p + "ffn_up.weight", l.UpWeight, float16, a.IntermediateSize, d);
            gguf.AddTensor(p + "ffn_down.weight", l.DownWeight, float16, d, a.IntermediateSize);
        }

        string full = Path.GetFullPath(outputPath);
        string temp = full + ".partial";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                gguf.Write(stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void AddOptional(GgufFile gguf, string name, float[]? values, int size)
    {
        if (values is not null)
        {
            gguf.AddTensor(name, values, false, size);
        }
    }

    /// <summary>Reorders each head's rows from rotate-half pairs (i, i + hd/2) to adjacent pairs (2i, 2i + 1).</summary>
    private static float[] Interleave(float[] rows, int heads, int hd, int cols)
    {
        var result = new float[rows.Length];
        int half = hd / 2;
        for (int h = 0; h < heads; h++)
        {
            for (int i = 0; i < half; i++)
            {
                for (int part = 0; part < 2; part++)
                {
                    Array.Copy(rows, (long)(h * hd + part * half + i) * cols, result, (long)(h * hd + 2 * i + part) * cols, cols);
                }
            }
        }

        return result;
    }

    private static void AddVocabulary(GgufFile gguf, HfCheckpoint checkpoint)
    {
        var a = checkpoint.Config.Architecture;
        var tokens = Enumerable.Range(0, a.VocabSize).Select(i => $"[{i}]").ToArray();
        var types = Enumerable.Repeat(1, a.VocabSize).ToArray();
        var merges = new List<string>();
        if (checkpoint.FindFile("tokenizer.json") is { } path)
        {
            ReadVocabulary(path, tokens, types, merges);
        }

        gguf.Add("tokenizer.ggml.model", "gpt2");
        gguf.Add("tokenizer.ggml.pre", "default");
        gguf.Add("tokenizer.ggml.tokens", tokens);
        gguf.Add("tokenizer.ggml.token_type", types);
        gguf.Add("tokenizer.ggml.merges", merges);
        var eos = checkpoint.Config.EosTokenIds;
        if (eos.Count > 0)
        {
            gguf.Add("tokenizer.ggml.eos_token_id", (uint)eos[0]);
        }

        if (checkpoint.Config.BosTokenIds.Count > 0)
        {
            gguf.Add("tokenizer.ggml.bos_token_id", (uint)checkpoint.Config.BosTokenIds[0]);
        }

        gguf.Add("tokenizer.ggml.add_bos_token", false);
    }

    /// <summary>Reads <c>tokenizer.json</c>'s vocabulary, merges and added tokens, naming the file and the field when one has the wrong shape.</summary>
    private static void ReadVocabulary(string path, string[] tokens, int[] types, List<string> merges)
    {
        string field = "the document";
        try
        {
            using var doc = JsonDocument.Parse(UntrustedFile.ReadAllBytes(path, HfCheckpoint.MaxTokenizerBytes, "tokenizer.json"));
            field = "model.vocab";
            var model = doc.RootElement.GetProperty("model");
            foreach (var entry in model.GetProperty("vocab").EnumerateObject())
            {
                field = $"model.vocab['{Shorten(entry.Name)}']";
                int id = entry.Value.GetInt32();
                if (id < 0)
                {
                    throw new InvalidDataException($"'{path}': {field} = {id} is not a token id (ids are ≥ 0).");
                }

                if (id < tokens.Length)
                {
                    tokens[id] = entry.Name;
                }
            }

            if (model.TryGetProperty("merges", out var m))
            {
                field = "model.merges";
                merges.AddRange(m.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Array ? string.Join(' ', e.EnumerateArray().Select(x => x.GetString())) : e.GetString() ?? throw new InvalidDataException($"'{path}': {field} holds a null merge.")));
            }

            if (doc.RootElement.TryGetProperty("added_tokens", out var added))
            {
                int i = 0;
                foreach (var t in added.EnumerateArray())
                {
                    field = $"added_tokens[{i++}]";
                    int id = t.GetProperty("id").GetInt32();
                    if (id < 0)
                    {
                        throw new InvalidDataException($"'{path}': {field}.id = {id} is not a token id (ids are ≥ 0).");
                    }

                    if (id < tokens.Length)
                    {
                        tokens[id] = t.GetProperty("content").GetString() ?? throw new InvalidDataException($"'{path}': {field}.content is null.");
                        types[id] = t.TryGetProperty("special", out var s) && s.GetBoolean() ? 3 : 4;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            // JsonElement's own messages ("The requested operation requires an element of type 'Object'") name neither.
            throw new InvalidDataException($"'{path}': {field} has the wrong shape for a tokenizer ({ex.Message})", ex);
        }
    }

    private static string Shorten(string text) => text.Length <= 32 ? text : text[..32] + "…";
}
