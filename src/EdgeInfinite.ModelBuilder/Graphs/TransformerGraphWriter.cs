using System.Globalization;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Onnx.Attention;
using Onnx;
using C = EdgeInfinite.Onnx.Packaging.ChunkGraphContract;

namespace EdgeInfinite.ModelBuilder.Graphs;

/// <summary>
/// Lays out a decoder as ONNX Runtime's CPU fused ops, the way ONNX Runtime GenAI's own builder does:
/// <c>SimplifiedLayerNormalization</c>, <c>SkipSimplifiedLayerNormalization</c>, packed QKV and gate/up MatMuls,
/// and <c>GroupQueryAttention</c> with in-op rotary embedding and a shared past/present KV buffer.
/// The chunk graph adds, per layer, the memory read and the memory gate between attention and <c>o_proj</c>.
/// <see cref="GraphLayoutOptions"/> swaps each fused part for plain ops, for measurement. With quantized
/// <see cref="WeightSettings"/> every projection and the LM head are <c>MatMulNBits</c> and the embedding is
/// <c>GatherBlockQuantized</c> over the same bytes as the (tied) LM head, as GenAI's builder lays out an int4 CPU model
/// with shared embeddings; the memory gate stays float32.
/// </summary>
internal sealed class TransformerGraphWriter
{
    /// <summary>Initial gate bias: sigmoid(−30) ≈ 1e-13, so an untrained gate leaves the model as it was.</summary>
    public const float UntrainedGateBias = -30f;

    private readonly TransformerWeights _w;
    private readonly ModelArchitecture _a;
    private readonly WeightStore _store;
    private readonly float _memoryEpsilon;
    private readonly MemoryFeatureMap _featureMap;
    private readonly float _featureScale;
    private readonly int _ropeCacheLength;
    private readonly GraphLayoutOptions _layout;
    private readonly WeightSettings _precision;
    private UnfusedAttentionInputs? _unfused;
    private string _tokenInput = C.InputIds;
    private (string Cos, string Sin)? _halfRope;

    /// <summary>Gets or sets trained gate parameters to write (per layer <c>w</c> <c>[hidden, heads]</c>, <c>b</c> <c>[heads]</c>); <see langword="null"/> writes untrained gates.</summary>
    public (IReadOnlyList<float[]> Weights, IReadOnlyList<float[]> Biases)? Gates { get; init; }

    public TransformerGraphWriter(TransformerWeights weights, WeightStore store, float memoryEpsilon, int ropeCacheLength, GraphLayoutOptions? layout = null, LongRouteSettings? route = null, WeightSettings? precision = null)
    {
        _precision = precision ?? WeightSettings.Float32;
        _featureMap = route?.FeatureMap ?? MemoryFeatureMap.EluPlusOne;
        _featureScale = (float)(route?.FeatureScale ?? ExponentialFeatures.DefaultScale);
        _layout = layout ?? GraphLayoutOptions.Default;
        _w = weights;
        _a = weights.Architecture;
        _store = store;
        _memoryEpsilon = memoryEpsilon;
        _ropeCacheLength = ropeCacheLength;
    }

    public ModelProto Build(GraphKind kind, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var g = new OnnxGraphBuilder(kind == GraphKind.Chunk ? "edgeinfinite_chunk" : "decoder");
        int d = _a.HiddenSize;
        int hd = _a.HeadDim;
        bool chunk = kind == GraphKind.Chunk;
        string batch = chunk ? "1" : "batch_size";
        var kvCache = chunk ? _layout.KvCache : KvCachePrecision.Float32;
        if (kvCache != KvCachePrecision.Float32 && _layout.Attention != AttentionLayout.GroupQueryAttention)
        {
            throw new ArgumentException($"A {kvCache} KV cache needs the GroupQueryAttention layout, not {_layout.Attention}.", nameof(kind));
        }

        int cacheType = kvCache switch
        {
            KvCachePrecision.Float16 or KvCachePrecision.Float16Attention => OnnxGraphBuilder.Float16,
            KvCachePrecision.Int8 => OnnxGraphBuilder.Int8,
            _ => OnnxGraphBuilder.Float,
        };

        // A quantized chunk graph takes the embedding rows from the engine (QuantizedEmbedding), so ONNX Runtime holds the
        // tied LM head's bytes once, as its pre-packed copy (docs/quantization.md, "Peak memory").
        bool engineEmbeddings = chunk && _precision.IsQuantized && !_layout.FloatEmbeddings;
        _tokenInput = engineEmbeddings ? C.InputsEmbeds : C.InputIds;
        if (engineEmbeddings)
        {
            g.Input(C.InputsEmbeds, OnnxGraphBuilder.Float, 1, "sequence_length", d);
        }
        else
        {
            g.Input(C.InputIds, OnnxGraphBuilder.Int64, Dim(batch), "sequence_length");
        }

        string seqlensK, totalLen;
        if (chunk)
        {
            g.Input(C.SeqLensK, OnnxGraphBuilder.Int32, 1);
            g.Input(C.TotalSequenceLength, OnnxGraphBuilder.Int32);
            g.Input(C.NumLogitsToKeep, OnnxGraphBuilder.Int64, 1);
            g.Input(C.GateEnable, OnnxGraphBuilder.Float, 1);
            seqlensK = C.SeqLensK;
            totalLen = C.TotalSequenceLength;
        }
        else
        {
            g.Input("attention_mask", OnnxGraphBuilder.Int64, "batch_size", "total_sequence_length");
            (seqlensK, totalLen) = MaskToSeqLens(g);
        }

        for (int i = 0; i < _a.NumLayers; i++)
        {
            string pastLen = chunk ? "capacity" : "past_sequence_length";
            string presentLen = chunk ? "capacity" : "total_sequence_length";
            g.Input(C.PastKey(i), cacheType, Dim(batch), _a.NumKvHeads, pastLen, hd);
            g.Input(C.PastValue(i), cacheType, Dim(batch), _a.NumKvHeads, pastLen, hd);
            g.Output(C.PresentKey(i), cacheType, Dim(batch), _a.NumKvHeads, presentLen, hd);
            g.Output(C.PresentValue(i), cacheType, Dim(batch), _a.NumKvHeads, presentLen, hd);
            if (kvCache == KvCachePrecision.Int8)
            {
                g.Input(KeyScale(i), OnnxGraphBuilder.Float, _a.NumKvHeads * hd);
                g.Input(ValueScale(i), OnnxGraphBuilder.Float, _a.NumKvHeads * hd);
            }

            if (chunk)
            {
                g.Input(C.Memory(i), OnnxGraphBuilder.Float, 1, _a.NumKvHeads, hd, hd);
                g.Input(C.MemoryNorm(i), OnnxGraphBuilder.Float, 1, _a.NumKvHeads, hd, 1);
            }
        }

        foreach (var (key, value) in GraphWeightInfo.Entries(_precision))
        {
            g.Metadata(key, value);
        }

        string residual = engineEmbeddings ? EngineEmbedding(g) : Embedding(g);
        string normed = RmsNorm(g, residual, Weight(g, "model.layers.0.input_layernorm.weight", _w.Layers[0].InputNorm), "/model/layers.0/input_layernorm");
        var (cos, sin) = RopeCaches(g);
        _halfRope = kvCache == KvCachePrecision.Float16Attention
            ? (ToHalf(g, cos, "/model/rotary/cos_half"), ToHalf(g, sin, "/model/rotary/sin_half"))
            : null;
        _unfused = _layout.Attention == AttentionLayout.Unfused ? UnfusedInputs(g, totalLen, chunk) : null;

        for (int i = 0; i < _a.NumLayers; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var l = _w.Layers[i];
            string p = $"model.layers.{i}.";
            string attn = Attention(g, i, l, normed, seqlensK, totalLen, cos, sin, chunk);
            string o = Linear(g, attn, p + "self_attn.o_proj.weight", d, _a.NumHeads * hd, () => l.OWeight, $"/model/layers.{i}/attn/o_proj");
            if (l.OBias is not null)
            {
                o = g.Node("Add", [o, Weight(g, p + "self_attn.o_proj.bias", l.OBias)], $"/model/layers.{i}/attn/o_proj_bias");
            }

            var postNorm = SkipRmsNorm(g, o, residual, Weight(g, p + "post_attention_layernorm.weight", l.PostAttentionNorm), $"/model/layers.{i}/post_attention_layernorm");
            residual = postNorm.Sum;
            string mlp = Mlp(g, i, l, postNorm.Normed);
            bool last = i == _a.NumLayers - 1;
            var nextNorm = SkipRmsNorm(g, mlp, residual,
                last ? Weight(g, "model.norm.weight", _w.FinalNorm) : Weight(g, $"model.layers.{i + 1}.input_layernorm.weight", _w.Layers[i + 1].InputNorm),
                last ? "/model/norm" : $"/model/layers.{i + 1}/input_layernorm");
            normed = nextNorm.Normed;
            residual = nextNorm.Sum;
            progress?.Report((i + 1.0) / _a.NumLayers);
        }

        if (chunk)
        {
            // Only the positions the caller needs go through the LM head: at long prefill this is most of the saving.
            string start = g.Node("Neg", [C.NumLogitsToKeep], "/lm_head/keep");
            normed = g.Node("Slice", [normed, start, g.ConstInt64("/lm_head/end", long.MaxValue), g.ConstInt64("/lm_head/axis", 1)], "/lm_head/slice");
        }

        LmHead(g, normed);
        return g.ToModel("edgeinfinite-modelbuilder");
    }

    private static object Dim(string batch) => batch == "1" ? 1 : batch;

    private (string SeqLensK, string Total) MaskToSeqLens(OnnxGraphBuilder g)
    {
        const string P = "/model/attn_mask_reformat/attn_mask_subgraph";
        string sum = g.Node("ReduceSum", ["attention_mask", g.ConstInt64(P + "/axes", 1)], P + "/ReduceSum", ("keepdims", 0L));
        string sub = g.Node("Sub", [sum, g.ConstInt64(P + "/one", 1)], P + "/Sub");
        string seqlens = g.Node("Cast", [sub], P + "/Sub/Cast", ("to", (long)OnnxGraphBuilder.Int32));
        string shape = g.Node("Shape", ["attention_mask"], P + "/Shape");
        string total = g.Node("Gather", [shape, g.ScalarInt64(P + "/idx", 1)], P + "/Gather", ("axis", 0L));
        string totalI32 = g.Node("Cast", [total], P + "/Gather/Cast", ("to", (long)OnnxGraphBuilder.Int32));
        return (seqlens, totalI32);
    }

    private string Attention(OnnxGraphBuilder g, int i, LayerWeights l, string x, string seqlensK, string total, string cos, string sin, bool chunk)
    {
        int d = _a.HiddenSize, hd = _a.HeadDim, qOut = _a.NumHeads * hd, kvOut = _a.NumKvHeads * hd;
        string p = $"model.layers.{i}.self_attn.";
        string n = $"/model/layers.{i}/attn";
        string q, k, v;
        if (_layout.PackedProjections)
        {
            // Hugging Face [out, in] matrices stacked along out: the packed [q+k+v, in] matrix.
            string qkv = Linear(g, x, p + "qkv_proj.weight", qOut + 2 * kvOut, d, () => [.. l.QWeight, .. l.KWeight, .. l.VWeight], n + "/qkv_proj");
            if (l.QBias is not null || l.KBias is not null || l.VBias is not null)
            {
                string bias = _store.Use(g, p + "qkv_proj.bias", [qOut + 2 * kvOut], () =>
                    [.. l.QBias ?? new float[qOut], .. l.KBias ?? new float[kvOut], .. l.VBias ?? new float[kvOut]]);
                qkv = g.Node("Add", [qkv, bias], n + "/qkv_bias");
            }

            var parts = g.NodeMulti("Split", [qkv, g.ConstInt64(n + "/split", qOut, kvOut, kvOut)], 3, n + "/split_qkv", null, ("axis", -1L));
            (q, k, v) = (parts[0], parts[1], parts[2]);
        }
        else
        {
            q = Projection(g, x, p + "q_proj", l.QWeight, l.QBias, qOut, n + "/q_proj");
            k = Projection(g, x, p + "k_proj", l.KWeight, l.KBias, kvOut, n + "/k_proj");
            v = Projection(g, x, p + "v_proj", l.VWeight, l.VBias, kvOut, n + "/v_proj");
        }

        if (l.QNorm is not null && l.KNorm is not null)
        {
            q = HeadNorm(g, q, Weight(g, p + "q_norm.weight", l.QNorm), n + "/q_norm");
            k = HeadNorm(g, k, Weight(g, p + "k_norm.weight", l.KNorm), n + "/k_norm");
        }

        if (_unfused is { } u)
        {
            string local = UnfusedAttention(g, i, q, k, v, cos, sin, u);
            return chunk ? MemoryGate(g, i, x, q, local) : local;
        }

        var gqa = new string[3];
        gqa[0] = $"{n}/gqa/output";
        gqa[1] = C.PresentKey(i);
        gqa[2] = C.PresentValue(i);
        (string, object)[] attributes =
        [
            ("num_heads", (long)_a.NumHeads), ("kv_num_heads", (long)_a.NumKvHeads), ("scale", (float)(1.0 / Math.Sqrt(hd))),
            ("do_rotary", 1L), ("rotary_interleaved", 0L), ("local_window_size", -1L), ("softcap", 0f),
        ];
        if (chunk && _halfRope is { } half)
        {
            // float16 attention: q/k/v and the rotary caches in float16 like the cache; the memory read and the gate keep
            // the float32 q.
            gqa[0] = $"{n}/gqa/output_half";
            g.NodeWithOutputs("GroupQueryAttention", [ToHalf(g, q, n + "/q_half"), ToHalf(g, k, n + "/k_half"), ToHalf(g, v, n + "/v_half"), C.PastKey(i), C.PastValue(i), seqlensK, total, half.Cos, half.Sin],
                gqa, n + "/gqa", "com.microsoft", attributes);
            string local = g.Node("Cast", [gqa[0]], n + "/gqa/output_float", ("to", (long)OnnxGraphBuilder.Float));
            return MemoryGate(g, i, x, q, local);
        }

        if (chunk && _layout.KvCache == KvCachePrecision.Int8)
        {
            // Inputs 9-11 (position_ids, attention_bias, head_sink) are absent; 12 and 13 are the per-channel scales.
            g.NodeWithOutputs("GroupQueryAttention", [q, k, v, C.PastKey(i), C.PastValue(i), seqlensK, total, cos, sin, string.Empty, string.Empty, string.Empty, KeyScale(i), ValueScale(i)],
                gqa, n + "/gqa", "com.microsoft",
                [.. attributes, ("k_quant_type", "PER_CHANNEL"), ("v_quant_type", "PER_CHANNEL"), ("kv_cache_bit_width", 8L)]);
            return MemoryGate(g, i, x, q, gqa[0]);
        }

        g.NodeWithOutputs("GroupQueryAttention", [q, k, v, C.PastKey(i), C.PastValue(i), seqlensK, total, cos, sin], gqa, n + "/gqa", "com.microsoft", attributes);
        return chunk ? MemoryGate(g, i, x, q, gqa[0]) : gqa[0];
    }

    /// <summary>Gets the name of layer <paramref name="layer"/>'s key-cache scale input of an int8-cache chunk graph.</summary>
    internal static string KeyScale(int layer) => $"k_scale.{layer}";

    /// <summary>Gets the name of layer <paramref name="layer"/>'s value-cache scale input of an int8-cache chunk graph.</summary>
    internal static string ValueScale(int layer) => $"v_scale.{layer}";

    private static string ToHalf(OnnxGraphBuilder g, string x, string n) => g.Node("Cast", [x], n, ("to", (long)OnnxGraphBuilder.Float16));

    /// <summary>
    /// A = A_local + g · (A_mem − A_local), A_mem = σ(Q) M / (σ(Q) z + ε) with σ = ELU + 1, or σ(Q) M with
    /// σ(x) = x / √(‖x‖² + ε), Q before RoPE; g = gate_enable · sigmoid(x W_g + b) per query head and token.
    /// </summary>
    private string MemoryGate(OnnxGraphBuilder g, int i, string x, string q, string local)
    {
        int hd = _a.HeadDim, heads = _a.NumHeads, kv = _a.NumKvHeads, group = _a.GroupSize, d = _a.HiddenSize;
        string n = $"/model/layers.{i}/memory";
        string p = $"model.layers.{i}.memory_gate.";

        // [1,T,H·Dh] → [1,kv,G·T,Dh]: each KV head's memory serves its whole query group in one MatMul.
        string q5 = g.Node("Reshape", [q, g.ConstInt64(n + "/q5", 0, 0, kv, group, hd)], n + "/q_reshape");
        string qt = g.Node("Transpose", [q5], n + "/q_transpose", ("perm", new long[] { 0, 2, 3, 1, 4 }));
        string qg = g.Node("Reshape", [qt, g.ConstInt64(n + "/q4", 0, 0, -1, hd)], n + "/q_group");
        string mem;
        if (_featureMap == MemoryFeatureMap.L2Normalized)
        {
            string squares = g.Node("ReduceSum", [g.Node("Mul", [qg, qg], n + "/q_square"), g.ConstInt64(n + "/q_axes", -1)], n + "/q_sum", ("keepdims", 1L));
            string length = g.Node("Sqrt", [g.Node("Add", [squares, g.ConstFloat(n + "/eps", _memoryEpsilon)], n + "/q_eps")], n + "/q_length");
            mem = g.Node("MatMul", [g.Node("Div", [qg, length], n + "/sigma"), C.Memory(i)], n + "/read");
        }
        else
        {
            string sq = _featureMap == MemoryFeatureMap.Exponential
                ? g.Node("Exp", [g.Node("Min", [g.Node("Mul", [qg, g.ConstFloat(n + "/beta", _featureScale)], n + "/scaled"), g.ConstFloat(n + "/cap", ExponentialFeatures.MaxExponent)], n + "/capped")], n + "/sigma")
                : g.Node("Add", [g.Node("Elu", [qg], n + "/elu", ("alpha", 1f)), g.ConstFloat(n + "/one", 1f)], n + "/sigma");
            string num = g.Node("MatMul", [sq, C.Memory(i)], n + "/read");
            string den = g.Node("Add", [g.Node("MatMul", [sq, C.MemoryNorm(i)], n + "/norm"), g.ConstFloat(n + "/eps", _memoryEpsilon)], n + "/norm_eps");
            mem = g.Node("Div", [num, den], n + "/read_div");
        }

        string m5 = g.Node("Reshape", [mem, g.ConstInt64(n + "/m5", 0, 0, group, -1, hd)], n + "/m_reshape");
        string mt = g.Node("Transpose", [m5], n + "/m_transpose", ("perm", new long[] { 0, 3, 1, 2, 4 }));
        string memHeads = g.Node("Reshape", [mt, g.ConstInt64(n + "/m4", 0, 0, heads, hd)], n + "/m_heads");
        string localHeads = g.Node("Reshape", [local, g.ConstInt64(n + "/l4", 0, 0, heads, hd)], n + "/l_heads");

        string gw = _store.Use(g, p + "weight", [d, heads], () => Gates?.Weights[i] ?? new float[d * heads]);
        string gb = _store.Use(g, p + "bias", [heads], () => Gates?.Biases[i] ?? Enumerable.Repeat(UntrainedGateBias, heads).ToArray());
        string logit = g.Node("Add", [g.Node("MatMul", [x, gw], n + "/gate_proj"), gb], n + "/gate_bias");
        string gate = g.Node("Mul", [g.Node("Sigmoid", [logit], n + "/gate_sigmoid"), C.GateEnable], n + "/gate_enable");
        string gate4 = g.Node("Unsqueeze", [gate, g.ConstInt64(n + "/gate_axis", -1)], n + "/gate_unsqueeze");
        string delta = g.Node("Sub", [memHeads, localHeads], n + "/delta");
        string blended = g.Node("Add", [localHeads, g.Node("Mul", [gate4, delta], n + "/gate_mul")], n + "/mix_blend");

        // g = 0 (gate off, or a sigmoid that underflowed) gives exactly the local attention, even when the memory read
        // is infinite or NaN: 0 · (mem − local) alone would turn that into NaN.
        string open = g.Node("Greater", [gate4, g.ConstFloat(n + "/zero", 0f)], n + "/gate_open");
        string mixed = g.Node("Where", [open, blended, localHeads], n + "/mix");
        return g.Node("Reshape", [mixed, g.ConstInt64(n + "/out3", 0, 0, heads * hd)], n + "/mix_flat");
    }

    private string HeadNorm(OnnxGraphBuilder g, string x, string weight, string n)
    {
        string heads = g.Node("Reshape", [x, g.ConstInt64(n + "/heads", 0, 0, -1, _a.HeadDim)], n + "/reshape_in");
        string normed = RmsNorm(g, heads, weight, n);
        return g.Node("Reshape", [normed, g.ConstInt64(n + "/flat", 0, 0, -1)], n + "/reshape_out");
    }

    private string Mlp(OnnxGraphBuilder g, int i, LayerWeights l, string x)
    {
        int d = _a.HiddenSize, inter = _a.IntermediateSize;
        string p = $"model.layers.{i}.mlp.";
        string n = $"/model/layers.{i}/mlp";
        string gate, up;
        if (_layout.PackedProjections)
        {
            string gateUp = Linear(g, x, p + "gate_up_proj.weight", 2 * inter, d, () => [.. l.GateWeight, .. l.UpWeight], n + "/gate_up_proj");
            var gu = g.NodeMulti("Split", [gateUp, g.ConstInt64(n + "/split", inter, inter)], 2, n + "/split_gate_up", null, ("axis", -1L));
            (gate, up) = (gu[0], gu[1]);
        }
        else
        {
            gate = Projection(g, x, p + "gate_proj", l.GateWeight, null, inter, n + "/gate_proj");
            up = Projection(g, x, p + "up_proj", l.UpWeight, null, inter, n + "/up_proj");
        }

        string silu = g.Node("Mul", [gate, g.Node("Sigmoid", [gate], n + "/act/sigmoid")], n + "/act/silu");
        string h = g.Node("Mul", [silu, up], n + "/act/up");
        return Linear(g, h, p + "down_proj.weight", d, inter, () => l.DownWeight, n + "/down_proj");
    }

    private void LmHead(OnnxGraphBuilder g, string normed)
    {
        int d = _a.HiddenSize, vocab = _a.VocabSize;
        if (_precision.IsQuantized)
        {
            string name = _a.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
            var q = _store.UseQuantized(g, name, vocab, d, _precision.Bits, _precision.BlockSize, gatherView: false, () => _a.TieWordEmbeddings ? _w.Embedding : _w.LmHead);
            g.NodeWithOutputs("MatMulNBits", [normed, q.Data, q.Scales], [C.Logits], "/lm_head/MatMulNBits", "com.microsoft", MatMulNBitsAttributes(d, vocab));
            g.Output(C.Logits, OnnxGraphBuilder.Float, g.Graph.Input[0].Type.TensorType.Shape.Dim[0].HasDimValue ? 1 : "batch_size", "sequence_length", vocab);
            return;
        }

        // Gemm with transB reads the [vocab, hidden] matrix as stored, so tied embeddings need no second copy.
        string head = _a.TieWordEmbeddings
            ? _store.Use(g, "model.embed_tokens.weight", [vocab, d], () => _w.Embedding)
            : _store.Use(g, "lm_head.weight", [vocab, d], () => _w.LmHead);
        string flat = g.Node("Reshape", [normed, g.ConstInt64("/lm_head/flat", -1, d)], "/lm_head/reshape_in");
        string logits2 = g.Node("Gemm", [flat, head], "/lm_head/gemm", ("transB", 1L));
        string lead = g.Node("Shape", [normed], "/lm_head/shape", ("start", 0L), ("end", 2L));
        string shape = g.Node("Concat", [lead, g.ConstInt64("/lm_head/vocab", vocab)], "/lm_head/shape_out", ("axis", 0L));
        g.NodeWithOutputs("Reshape", [logits2, shape], [C.Logits], "/lm_head/reshape_out", null);
        g.Output(C.Logits, OnnxGraphBuilder.Float, g.Graph.Input[0].Type.TensorType.Shape.Dim[0].HasDimValue ? 1 : "batch_size", "sequence_length", vocab);
    }

    private (string Cos, string Sin) RopeCaches(OnnxGraphBuilder g)
    {
        var inv = RotaryEmbedding.InverseFrequencies(_a);
        int half = inv.Length;
        var cos = new float[(long)_ropeCacheLength * half];
        var sin = new float[(long)_ropeCacheLength * half];
        for (int pos = 0; pos < _ropeCacheLength; pos++)
        {
            for (int j = 0; j < half; j++)
            {
                double angle = pos * inv[j];
                cos[(long)pos * half + j] = (float)Math.Cos(angle);
                sin[(long)pos * half + j] = (float)Math.Sin(angle);
            }
        }

        return (_store.Use(g, "cos_cache", [_ropeCacheLength, half], () => cos), _store.Use(g, "sin_cache", [_ropeCacheLength, half], () => sin));
    }

    /// <summary><c>x · Wᵀ (+ b)</c> for a Hugging Face <c>[out, in]</c> weight.</summary>
    private string Projection(OnnxGraphBuilder g, string x, string name, float[] weight, float[]? bias, int outputs, string n)
    {
        string y = Linear(g, x, name + ".weight", outputs, weight.Length / outputs, () => weight, n);
        return bias is null ? y : g.Node("Add", [y, Weight(g, name + ".bias", bias)], n + "_bias");
    }

    /// <summary>
    /// <c>x · Wᵀ</c> for a Hugging Face <c>[rows = out, cols = in]</c> weight: <c>MatMul</c> on the stored <c>[in, out]</c>
    /// transpose, or <c>MatMulNBits</c> on the block-quantized <c>[out, in]</c> matrix (its native layout).
    /// </summary>
    private string Linear(OnnxGraphBuilder g, string x, string name, int rows, int cols, Func<float[]> weight, string n)
    {
        if (!_precision.IsQuantized)
        {
            return g.Node("MatMul", [x, _store.Use(g, name, [cols, rows], () => MatrixLayout.Transpose(weight(), rows, cols))], n);
        }

        var q = _store.UseQuantized(g, name, rows, cols, _precision.Bits, _precision.BlockSize, gatherView: false, weight);
        return g.MsNode("MatMulNBits", [x, q.Data, q.Scales], n + "/MatMulNBits", MatMulNBitsAttributes(cols, rows));
    }

    private (string, object)[] MatMulNBitsAttributes(int k, int n) =>
        [("K", (long)k), ("N", (long)n), ("bits", (long)_precision.Bits), ("block_size", (long)_precision.BlockSize), ("accuracy_level", (long)_precision.AccuracyLevel)];

    /// <summary>
    /// Writes the quantized embedding rows (shared with a tied LM head) and records where they lie in the weights file, for
    /// the engine's lookup; the graph's input is the looked-up rows.
    /// </summary>
    private string EngineEmbedding(OnnxGraphBuilder g)
    {
        var (data, scales) = _store.WriteQuantized("model.embed_tokens.weight", _a.VocabSize, _a.HiddenSize, _precision.Bits, _precision.BlockSize, () => _w.Embedding);
        g.Metadata(C.EmbeddingDataOffsetKey, data.ToString(CultureInfo.InvariantCulture));
        g.Metadata(C.EmbeddingScalesOffsetKey, scales.ToString(CultureInfo.InvariantCulture));
        return C.InputsEmbeds;
    }

    /// <summary>The token embedding: <c>Gather</c> on float32 rows, or <c>GatherBlockQuantized</c> on the quantized rows (shared with a tied LM head).</summary>
    private string Embedding(OnnxGraphBuilder g)
    {
        int d = _a.HiddenSize;
        if (!_precision.IsQuantized || _layout.FloatEmbeddings)
        {
            string embed = _store.Use(g, "model.embed_tokens.weight", [_a.VocabSize, d], () => _w.Embedding);
            return g.Node("Gather", [embed, C.InputIds], "/model/embed_tokens", ("axis", 0));
        }

        var q = _store.UseQuantized(g, "model.embed_tokens.weight", _a.VocabSize, d, _precision.Bits, _precision.BlockSize, gatherView: true, () => _w.Embedding);
        return g.MsNode("GatherBlockQuantized", [q.Data, C.InputIds, q.Scales], "/model/embed_tokens",
            ("bits", (long)_precision.Bits), ("block_size", (long)_precision.BlockSize), ("gather_axis", 0L), ("quantize_axis", 1L));
    }

    /// <summary>RMSNorm over the last axis: one <c>SimplifiedLayerNormalization</c>, or the plain ops it fuses.</summary>
    private string RmsNorm(OnnxGraphBuilder g, string x, string weight, string n)
    {
        if (_layout.FusedNorms)
        {
            return g.Node("SimplifiedLayerNormalization", [x, weight], n, ("axis", -1L), ("epsilon", (float)_a.RmsNormEps), ("stash_type", 1L));
        }

        string sq = g.Node("Pow", [x, g.ConstFloat(n + "/two", 2f)], n + "/pow");
        string mean = g.Node("ReduceMean", [sq, g.ConstInt64(n + "/axes", -1)], n + "/mean", ("keepdims", 1L));
        string rms = g.Node("Sqrt", [g.Node("Add", [mean, g.ConstFloat(n + "/eps", (float)_a.RmsNormEps)], n + "/add_eps")], n + "/sqrt");
        return g.Node("Mul", [g.Node("Div", [x, rms], n + "/div"), weight], n + "/scale");
    }

    /// <summary>Residual add then RMSNorm: one <c>SkipSimplifiedLayerNormalization</c> (outputs 0 and 3), or <c>Add</c> + <see cref="RmsNorm"/>.</summary>
    private (string Normed, string Sum) SkipRmsNorm(OnnxGraphBuilder g, string x, string residual, string weight, string n)
    {
        if (_layout.FusedNorms)
        {
            var outs = g.NodeMulti("SkipSimplifiedLayerNormalization", [x, residual, weight], 4, n, "com.microsoft", ("epsilon", (float)_a.RmsNormEps));
            return (outs[0], outs[3]);
        }

        string sum = g.Node("Add", [x, residual], n + "/residual_add");
        return (RmsNorm(g, sum, weight, n), sum);
    }

    /// <summary>The per-graph tensors the unfused attention of every layer shares: positions, causal mask, scatter indices.</summary>
    private UnfusedAttentionInputs UnfusedInputs(OnnxGraphBuilder g, string totalI32, bool chunk)
    {
        const string P = "/model/attn_unfused";
        string seqLen = g.Node("Shape", [_tokenInput], P + "/seq_len", ("start", 1L), ("end", 2L));
        string batch = g.Node("Shape", [_tokenInput], P + "/batch", ("start", 0L), ("end", 1L));
        string total = chunk
            ? g.Node("Reshape", [g.Node("Cast", [totalI32], P + "/total_cast", ("to", (long)OnnxGraphBuilder.Int64)), g.ConstInt64(P + "/one_dim", 1)], P + "/total")
            : g.Node("Shape", ["attention_mask"], P + "/total", ("start", 1L), ("end", 2L));
        string start = g.Node("Sub", [total, seqLen], P + "/start");
        string zero = g.ScalarInt64(P + "/zero", 0);
        string one = g.ScalarInt64(P + "/one", 1);
        string Scalar(string v, string name) => g.Node("Squeeze", [v, g.ConstInt64(name + "/axes", 0)], name);
        string range = g.Node("Range", [zero, Scalar(seqLen, P + "/seq_scalar"), one], P + "/range_t");
        string positions = g.Node("Add", [range, start], P + "/positions");

        // mask[t, j] = 0 where key j ≤ query position start + t, else −∞ (keys past the total are never read: K/V are sliced to it).
        string keys = g.Node("Range", [zero, Scalar(total, P + "/total_scalar"), one], P + "/range_keys");
        string allowed = g.Node("LessOrEqual", [
            g.Node("Unsqueeze", [keys, g.ConstInt64(P + "/k_axis", 0)], P + "/keys_row"),
            g.Node("Unsqueeze", [positions, g.ConstInt64(P + "/q_axis", 1)], P + "/pos_col")], P + "/allowed");
        string mask = g.Node("Where", [allowed, g.ConstFloat(P + "/zero_f", 0f), g.ConstFloat(P + "/neg_inf", float.NegativeInfinity)], P + "/mask");

        // ScatterND indices [B, kv, T, 3] = (b, h, start + t): the new keys/values go into the shared cache buffer.
        string shape = g.Node("Concat", [batch, g.ConstInt64(P + "/kv", _a.NumKvHeads), seqLen, g.ConstInt64(P + "/one_last", 1)], P + "/idx_shape", ("axis", 0L));
        string b = g.Node("Reshape", [g.Node("Range", [zero, Scalar(batch, P + "/batch_scalar"), one], P + "/range_b"), g.ConstInt64(P + "/b_shape", -1, 1, 1, 1)], P + "/b");
        string h = g.Node("Reshape", [g.Node("Range", [zero, g.ScalarInt64(P + "/kv_scalar", _a.NumKvHeads), one], P + "/range_h"), g.ConstInt64(P + "/h_shape", 1, -1, 1, 1)], P + "/h");
        string t = g.Node("Reshape", [positions, g.ConstInt64(P + "/t_shape", 1, 1, -1, 1)], P + "/t");
        string indices = g.Node("Concat", [
            g.Node("Expand", [b, shape], P + "/b_expand"), g.Node("Expand", [h, shape], P + "/h_expand"), g.Node("Expand", [t, shape], P + "/t_expand")], P + "/indices", ("axis", -1L));
        return new UnfusedAttentionInputs(start, g.Node("Add", [start, seqLen], P + "/end"), total, mask, indices);
    }

    /// <summary>Attention from plain ops over the same cache contract as <c>GroupQueryAttention</c> (rotated keys stored in place).</summary>
    private string UnfusedAttention(OnnxGraphBuilder g, int i, string q, string k, string v, string cos, string sin, UnfusedAttentionInputs u)
    {
        int hd = _a.HeadDim, heads = _a.NumHeads, kv = _a.NumKvHeads, group = _a.GroupSize;
        string n = $"/model/layers.{i}/attn/unfused";
        string cosT = g.Node("Unsqueeze", [g.Node("Slice", [cos, u.Start, u.End, g.ConstInt64(n + "/cos_axis", 0)], n + "/cos_slice"), g.ConstInt64(n + "/cos_unsq", 1)], n + "/cos");
        string sinT = g.Node("Unsqueeze", [g.Node("Slice", [sin, u.Start, u.End, g.ConstInt64(n + "/sin_axis", 0)], n + "/sin_slice"), g.ConstInt64(n + "/sin_unsq", 1)], n + "/sin");
        string q4 = Rotate(g, g.Node("Reshape", [q, g.ConstInt64(n + "/q4", 0, 0, heads, hd)], n + "/q_heads"), cosT, sinT, n + "/q_rope");
        string k4 = Rotate(g, g.Node("Reshape", [k, g.ConstInt64(n + "/k4", 0, 0, kv, hd)], n + "/k_heads"), cosT, sinT, n + "/k_rope");
        string v4 = g.Node("Reshape", [v, g.ConstInt64(n + "/v4", 0, 0, kv, hd)], n + "/v_heads");
        string kNew = g.Node("Transpose", [k4], n + "/k_bhsd", ("perm", new long[] { 0, 2, 1, 3 }));
        string vNew = g.Node("Transpose", [v4], n + "/v_bhsd", ("perm", new long[] { 0, 2, 1, 3 }));

        // Bound to the same buffer as the past input, ScatterND writes only the new positions (no copy when input and output alias).
        g.NodeWithOutputs("ScatterND", [C.PastKey(i), u.Indices, kNew], [C.PresentKey(i)], n + "/k_scatter", null);
        g.NodeWithOutputs("ScatterND", [C.PastValue(i), u.Indices, vNew], [C.PresentValue(i)], n + "/v_scatter", null);
        string zero = g.ConstInt64(n + "/zero", 0);
        string axis2 = g.ConstInt64(n + "/axis2", 2);
        string keys = g.Node("Slice", [C.PresentKey(i), zero, u.Total, axis2], n + "/k_valid");
        string values = g.Node("Slice", [C.PresentValue(i), zero, u.Total, axis2], n + "/v_valid");

        // Query heads of one KV head side by side: [B, T, kv, G, Dh] → [B, kv, G, T, Dh]; scores [B, kv, G, T, total].
        string q5 = g.Node("Reshape", [q4, g.ConstInt64(n + "/q5", 0, 0, kv, group, hd)], n + "/q_group");
        string qg = g.Node("Transpose", [q5], n + "/q_bkgtd", ("perm", new long[] { 0, 2, 3, 1, 4 }));
        string qs = g.Node("Mul", [qg, g.ConstFloat(n + "/scale", (float)(1.0 / Math.Sqrt(hd)))], n + "/q_scaled");
        string kT = g.Node("Unsqueeze", [g.Node("Transpose", [keys], n + "/k_t", ("perm", new long[] { 0, 1, 3, 2 })), axis2], n + "/k_t5");
        string scores = g.Node("Add", [g.Node("MatMul", [qs, kT], n + "/qk"), u.Mask], n + "/masked");
        string probs = g.Node("Softmax", [scores], n + "/softmax", ("axis", -1L));
        string ctx = g.Node("MatMul", [probs, g.Node("Unsqueeze", [values, axis2], n + "/v5")], n + "/pv");
        string ctxT = g.Node("Transpose", [ctx], n + "/ctx_btkgd", ("perm", new long[] { 0, 3, 1, 2, 4 }));
        return g.Node("Reshape", [ctxT, g.ConstInt64(n + "/out3", 0, 0, heads * hd)], n + "/ctx_flat");
    }

    /// <summary>Rotate-half RoPE of <c>[B, T, N, Dh]</c> with cos/sin <c>[T, 1, Dh/2]</c>.</summary>
    private string Rotate(OnnxGraphBuilder g, string x, string cos, string sin, string n)
    {
        int half = _a.HeadDim / 2;
        var parts = g.NodeMulti("Split", [x, g.ConstInt64(n + "/split", half, half)], 2, n + "/split", null, ("axis", -1L));
        string r1 = g.Node("Sub", [g.Node("Mul", [parts[0], cos], n + "/x1c"), g.Node("Mul", [parts[1], sin], n + "/x2s")], n + "/r1");
        string r2 = g.Node("Add", [g.Node("Mul", [parts[1], cos], n + "/x2c"), g.Node("Mul", [parts[0], sin], n + "/x1s")], n + "/r2");
        return g.Node("Concat", [r1, r2], n + "/concat", ("axis", -1L));
    }

    private string Weight(OnnxGraphBuilder g, string name, float[] values) => _store.Use(g, name, [values.Length], () => values);
}
