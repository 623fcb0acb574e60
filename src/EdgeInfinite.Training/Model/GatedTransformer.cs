using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Onnx.Attention;
using EdgeInfinite.Onnx.Packaging;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// A differentiable TorchSharp model of the supported families (Llama, Mistral, Qwen2/2.5, Qwen3, Phi-3 in canonical
/// form) with both EdgeInfinite routes, computed the way the ONNX engine computes them (DESIGN §1):
/// <list type="bullet">
/// <item>short route: the unmodified model, full causal attention, RoPE at absolute positions;</item>
/// <item>long route: chunks cut on the stream grid <c>S + k·L</c>; before a chunk, while sink + window + chunk would
/// exceed <c>S + W + L</c>, the window's oldest <c>L</c> tokens go to memory (delta or linear rule on keys before
/// RoPE); local attention over sink + window + chunk with keys kept before RoPE and rotated at their cache index;
/// memory read <c>σ(Q) M / (σ(Q) z + ε)</c>; gate <c>g = sigmoid(x·w + b)</c> per query head, applied once memory
/// holds a token.</item>
/// </list>
/// The base weights are frozen; only the gates (<see cref="GateWeights"/>, <see cref="GateBiases"/>) require
/// gradients. Memory is a differentiable function of the earlier segments' keys and values, so the loss
/// back-propagates through several segments (optionally truncated every k segments). Tensors returned by the forward
/// methods belong to the caller's dispose scope.
/// </summary>
public sealed partial class GatedTransformer : IDisposable
{
    private readonly ModelArchitecture _a;
    private readonly Tensor _embedding;
    private readonly Tensor _lmHead;
    private readonly Tensor _finalNorm;
    private readonly LayerTensors[] _layers;
    private readonly double[] _invFreq;
    private readonly Tensor[] _gateW;
    private readonly Tensor[] _gateB;
    private readonly bool _ownsBase = true;
    private Tensor? _cos;
    private Tensor? _sin;
    private bool _disposed;

    /// <summary>Initializes a new instance of the <see cref="GatedTransformer"/> class.</summary>
    /// <param name="weights">The base weights (frozen).</param>
    /// <param name="gateWeights">Per layer, the gate weight <c>w</c> row-major <c>[hidden, heads]</c> (the package layout).</param>
    /// <param name="gateBiases">Per layer, the gate bias <c>b</c> <c>[heads]</c>.</param>
    /// <param name="dtype"><see cref="ScalarType.Float32"/> (as the engine) or <see cref="ScalarType.Float64"/>.</param>
    public GatedTransformer(TransformerWeights weights, IReadOnlyList<float[]> gateWeights, IReadOnlyList<float[]> gateBiases, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(gateWeights);
        ArgumentNullException.ThrowIfNull(gateBiases);
        if (dtype is not (ScalarType.Float32 or ScalarType.Float64))
        {
            throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Only float32 and float64 are supported.");
        }

        TorchRuntime.EnsureInitialized();
        _a = weights.Architecture;
        int layers = _a.NumLayers, d = _a.HiddenSize, heads = _a.NumHeads;
        if (gateWeights.Count != layers || gateBiases.Count != layers)
        {
            throw new ArgumentException($"Expected gate parameters for {layers} layers; got {gateWeights.Count} weights and {gateBiases.Count} biases.", nameof(gateWeights));
        }

        for (int i = 0; i < layers; i++)
        {
            if (gateWeights[i].Length != d * heads || gateBiases[i].Length != heads)
            {
                throw new ArgumentException($"Layer {i}: the gate weight needs {d * heads} values and the bias {heads}; got {gateWeights[i].Length} and {gateBiases[i].Length}.", nameof(gateWeights));
            }
        }

        DType = dtype;
        _invFreq = RotaryEmbedding.InverseFrequencies(_a);
        _embedding = TensorFactory.Frozen(weights.Embedding, dtype, _a.VocabSize, d);
        _lmHead = ReferenceEquals(weights.LmHead, weights.Embedding) ? _embedding : TensorFactory.Frozen(weights.LmHead, dtype, _a.VocabSize, d);
        _finalNorm = TensorFactory.Frozen(weights.FinalNorm, dtype);
        _layers = weights.Layers.Select(l => new LayerTensors(l, dtype)).ToArray();
        _gateW = Enumerable.Range(0, layers).Select(i => TensorFactory.Trainable(gateWeights[i], dtype, d, heads)).ToArray();
        _gateB = Enumerable.Range(0, layers).Select(i => TensorFactory.Trainable(gateBiases[i], dtype, heads)).ToArray();
    }

    /// <summary>
    /// Initializes a long-route view of a <see cref="TrainableLlama"/> that shares its parameters: gradients of the
    /// long-route loss reach the base weights too (the Infini-attention recipe). The gates are the caller's tensors.
    /// </summary>
    internal GatedTransformer(TrainableLlama llama, Tensor[] gateWeights, Tensor[] gateBiases)
    {
        TorchRuntime.EnsureInitialized();
        _a = llama.Architecture;
        DType = ScalarType.Float32;
        _ownsBase = false;
        _invFreq = RotaryEmbedding.InverseFrequencies(_a);
        var p = llama.Parameters;
        _embedding = p[0];
        _lmHead = p[0];
        _finalNorm = p[^1];
        _layers = Enumerable.Range(0, _a.NumLayers).Select(i => new LayerTensors(p.ToArray().AsSpan(1 + (i * TrainableLlama.PerLayer), TrainableLlama.PerLayer))).ToArray();
        _gateW = gateWeights;
        _gateB = gateBiases;
    }

    /// <summary>Gets the architecture.</summary>
    public ModelArchitecture Architecture => _a;

    /// <summary>Gets the tensor type of the computation.</summary>
    public ScalarType DType { get; }

    /// <summary>Gets the trainable gate weights, one <c>[hidden, heads]</c> tensor per layer.</summary>
    public IReadOnlyList<Tensor> GateWeights => _gateW;

    /// <summary>Gets the trainable gate biases, one <c>[heads]</c> tensor per layer.</summary>
    public IReadOnlyList<Tensor> GateBiases => _gateB;

    /// <summary>Gets every trainable tensor (all gate weights, then all gate biases).</summary>
    public IReadOnlyList<Tensor> TrainableParameters => [.. _gateW, .. _gateB];

    /// <summary>Gets the number of trainable values.</summary>
    public long TrainableCount => _gateW.Sum(t => t.numel()) + _gateB.Sum(t => t.numel());

    /// <summary>Copies the gates out in the package layout.</summary>
    /// <returns>Per layer, <c>w</c> row-major <c>[hidden, heads]</c> and <c>b</c> <c>[heads]</c>, as float32.</returns>
    public (float[][] Weights, float[][] Biases) ExportGates()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (_gateW.Select(ToFloats).ToArray(), _gateB.Select(ToFloats).ToArray());
    }

    /// <summary>Overwrites the gates (for example from a checkpoint).</summary>
    /// <param name="weights">Per layer, <c>w</c> row-major <c>[hidden, heads]</c>.</param>
    /// <param name="biases">Per layer, <c>b</c> <c>[heads]</c>.</param>
    public void LoadGates(IReadOnlyList<float[]> weights, IReadOnlyList<float[]> biases)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(biases);
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < _a.NumLayers; i++)
        {
            _gateW[i].copy_(tensor(weights[i], _gateW[i].shape).to_type(DType));
            _gateB[i].copy_(tensor(biases[i], _gateB[i].shape).to_type(DType));
        }
    }

    /// <summary>The short route: the unmodified model with full causal attention.</summary>
    /// <param name="ids">Token ids <c>[batch, tokens]</c> (int64).</param>
    /// <returns>The logits <c>[batch, tokens, vocab]</c>.</returns>
    public Tensor ForwardShort(Tensor ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int b = (int)ids.shape[0], n = (int)ids.shape[1];
        var h = Embed(ids);
        var (cos, sin) = Rope(0, n);
        for (int i = 0; i < _layers.Length; i++)
        {
            var l = _layers[i];
            var (x, q, k, v) = Project(l, h, b, n);
            var local = Attend(Rotate(q, cos, sin), Rotate(k, cos, sin), v, past: 0);
            h = Block(l, h, local, b, n);
        }

        return Head(h);
    }

    /// <summary>
    /// The long route over whole sequences from an empty state (DESIGN §1, the engine's schedule), or for training from
    /// a given memory (<see cref="LongRouteOptions.InitialMemory"/>). Without truncation it
    /// runs segment-parallel (the same function, see <see cref="LongRouteOptions.ChunkByChunk"/>).
    /// </summary>
    /// <param name="ids">Token ids <c>[batch, tokens]</c> (int64).</param>
    /// <param name="settings">S, W, L, update rule and ε.</param>
    /// <param name="options">What to compute; <see langword="null"/> returns the logits with memory and gates on.</param>
    /// <returns>The logits and/or the loss.</returns>
    public LongRouteRun ForwardLong(Tensor ids, LongRouteSettings settings, LongRouteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(settings);
        ObjectDisposedException.ThrowIf(_disposed, this);
        options ??= new LongRouteOptions();
        if (options.BackwardPerWindow && options.Targets is null)
        {
            throw new ArgumentException("Back-propagation per window needs targets.", nameof(options));
        }

        int b = (int)ids.shape[0], total = (int)ids.shape[1];
        int s = settings.SinkTokens, segment = settings.SegmentTokens, capacity = s + settings.WindowTokens + segment;
        int layers = _layers.Length;
        if (options.Weights is not null && (options.Targets is null || !options.Weights.shape.SequenceEqual(ids.shape)))
        {
            throw new ArgumentException($"Loss weights need targets and the ids' shape [{string.Join(", ", ids.shape)}].", nameof(options));
        }

        if (!options.ChunkByChunk && options.DetachEverySegments == 0 && FitsSegmentParallel(total, settings))
        {
            return ForwardLongParallel(ids, settings, options);
        }

        int scored = LossPositions(total, settings);
        double lossCount = options.Weights is { } weights
            ? weights.narrow(1, total - scored, scored).sum().to_type(ScalarType.Float64).item<double>()
            : (double)b * scored;
        var window = options.BackwardPerWindow ? NewDisposeScope() : null;
        var carried = new List<Tensor>();
        var keys = new Tensor?[layers];
        var values = new Tensor?[layers];
        var m = new Tensor[layers];
        var z = new Tensor[layers];
        var (initial, warmRows) = InitialMemory(options, b);
        for (int i = 0; i < layers; i++)
        {
            (m[i], z[i]) = StartMemory(initial, warmRows, i, b);
        }

        bool baseTrainable = _embedding.requires_grad;
        var logits = options.ReturnLogits ? new List<Tensor>() : null;
        Tensor? lossSum = null;
        double lossBackwarded = 0;
        long inMemory = 0, evicted = 0;
        int cached = 0, position = 0, chunks = 0, firstGated = -1;
        while (position < total)
        {
            int end = position < s ? s + segment : s + ((position - s) / segment + 1) * segment;
            int n = Math.Min(end - position, total - position);
            while (cached + n > capacity)
            {
                for (int i = 0; i < layers; i++)
                {
                    Evict(ref keys[i]!, ref values[i]!, ref m[i], ref z[i], s, segment, options.MemoryEnabled, settings);
                }

                cached -= segment;
                evicted += segment;
                inMemory += options.MemoryEnabled ? segment : 0;
            }

            bool gateOn = options.GatesEnabled && options.MemoryEnabled && (inMemory > 0 || warmRows is not null);
            if (gateOn && firstGated < 0)
            {
                firstGated = position;
            }

            // Position t predicts token t + 1; the sequence's last position has no target.
            int predicted = options.Targets is not null && evicted > 0 ? Math.Min(n, total - 1 - position) : 0;
            Tensor h;

            // With a frozen base nothing trainable acts until the gate first reads memory: no graph to keep. A trainable
            // base (Infini-attention recipe) keeps it: these chunks' keys and values go to memory later.
            using (firstGated < 0 && !baseTrainable ? no_grad() : null)
            {
                h = Embed(ids.narrow(1, position, n));
                var (qCos, qSin) = Rope(cached, n);
                var (kCos, kSin) = Rope(0, cached + n);
                for (int i = 0; i < layers; i++)
                {
                    var l = _layers[i];
                    var (x, q, k, v) = Project(l, h, b, n);
                    keys[i] = keys[i] is null ? k : cat([keys[i]!, k], 2);
                    values[i] = values[i] is null ? v : cat([values[i]!, v], 2);
                    var local = Attend(Rotate(q, qCos, qSin), Rotate(keys[i]!, kCos, kSin), values[i]!, cached);
                    if (gateOn)
                    {
                        local = Gate(i, x, q, local, m[i], z[i], inMemory > 0 ? null : warmRows, settings);
                    }

                    h = Block(l, h, local, b, n);
                }
            }

            if (logits is not null || predicted > 0)
            {
                var chunkLogits = Head(h);
                logits?.Add(chunkLogits);
                if (predicted > 0)
                {
                    var chunkLogitsFlat = chunkLogits.narrow(1, 0, predicted).reshape(-1, _a.VocabSize);
                    var chunkTargets = options.Targets!.narrow(1, position + 1, predicted).reshape(-1);
                    var chunkLoss = options.Weights is { } w
                        ? (F.cross_entropy(chunkLogitsFlat, chunkTargets, reduction: nn.Reduction.None) * w.narrow(1, position + 1, predicted).reshape(-1).to_type(chunkLogitsFlat.dtype)).sum()
                        : F.cross_entropy(chunkLogitsFlat, chunkTargets, reduction: nn.Reduction.Sum);
                    lossSum = lossSum is null ? chunkLoss : lossSum + chunkLoss;
                }
            }

            cached += n;
            position += n;
            chunks++;
            bool boundary = options.DetachEverySegments > 0 && chunks % options.DetachEverySegments == 0 && position < total;
            if (window is not null && lossSum is not null && (boundary || position >= total))
            {
                // This window's share of the mean loss; its graph is freed by the backward pass and the scope below.
                var share = lossSum / lossCount;
                if (share.requires_grad)
                {
                    share.backward();
                }

                lossBackwarded += Scalar(lossSum);
                lossSum = null;
            }

            if (boundary)
            {
                // Truncated back-propagation: the state carries its values on, not its history.
                for (int i = 0; i < layers; i++)
                {
                    keys[i] = keys[i]!.detach();
                    values[i] = values[i]!.detach();
                    m[i] = m[i].detach();
                    z[i] = z[i].detach();
                }

                if (window is not null)
                {
                    // Only the state (and any logits asked for) outlives the window; the previous window's state is done.
                    foreach (var t in carried)
                    {
                        t.Dispose();
                    }

                    carried = [.. keys.Concat(values).Concat(m).Concat(z).Select(t => t!.MoveToOuterDisposeScope())];
                    foreach (var t in logits ?? [])
                    {
                        t.MoveToOuterDisposeScope();
                    }

                    window.Dispose();
                    window = NewDisposeScope();
                }
            }
        }

        var memory = options.ReturnMemory ? EndMemory(m, z, inMemory > 0, initial, warmRows) : null;
        Tensor? allLogits = logits is null ? null : cat(logits, 1);
        Tensor? loss = window is not null
            ? (lossCount > 0 ? tensor(lossBackwarded / lossCount) : null)
            : lossSum is null ? null : lossSum / lossCount;
        if (window is not null)
        {
            allLogits?.MoveToOuterDisposeScope();
            loss?.MoveToOuterDisposeScope();
            foreach (var t in memory?.M.Concat(memory.Z) ?? [])
            {
                t.MoveToOuterDisposeScope();
            }

            window.Dispose();
            foreach (var t in carried)
            {
                t.Dispose();
            }
        }

        return new LongRouteRun(allLogits, loss, firstGated, inMemory, memory);
    }

    /// <summary>The number of positions per sequence that <see cref="ForwardLong"/> scores: those of the chunks after the first eviction that have a next token.</summary>
    /// <param name="total">The sequence length.</param>
    /// <param name="settings">S, W, L.</param>
    /// <returns>The count.</returns>
    public static int LossPositions(int total, LongRouteSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        int s = settings.SinkTokens, segment = settings.SegmentTokens, capacity = s + settings.WindowTokens + segment;
        int cached = 0, position = 0, count = 0;
        bool evicted = false;
        while (position < total)
        {
            int end = position < s ? s + segment : s + ((position - s) / segment + 1) * segment;
            int n = Math.Min(end - position, total - position);
            while (cached + n > capacity)
            {
                cached -= segment;
                evicted = true;
            }

            count += evicted ? Math.Max(0, Math.Min(n, total - 1 - position)) : 0;
            cached += n;
            position += n;
        }

        return count;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _cos?.Dispose();
        _sin?.Dispose();
        if (!_ownsBase)
        {
            // The base tensors belong to the TrainableLlama and the gates to the caller.
            return;
        }

        foreach (var t in new[] { _embedding, _finalNorm }.Concat(_gateW).Concat(_gateB))
        {
            t.Dispose();
        }

        if (!ReferenceEquals(_lmHead, _embedding))
        {
            _lmHead.Dispose();
        }

        foreach (var l in _layers)
        {
            l.Dispose();
        }
    }

    /// <summary>
    /// The initial memory to use (none when memory is off), checked against the model and the batch, and the mask
    /// <c>[B, 1, 1, 1]</c> of the rows whose memory holds tokens (none when no row's does).
    /// </summary>
    private (LongRouteMemory? Initial, Tensor? WarmRows) InitialMemory(LongRouteOptions options, int batch)
    {
        if (options.InitialMemory is not { } initial || !options.MemoryEnabled)
        {
            return (null, null);
        }

        long[] mShape = [batch, _a.NumKvHeads, _a.HeadDim, _a.HeadDim], zShape = [batch, _a.NumKvHeads, _a.HeadDim, 1];
        if (initial.M.Length != _layers.Length || initial.Z.Length != _layers.Length || initial.Holds.Length != batch
            || initial.M.Any(t => !t.shape.SequenceEqual(mShape) || t.dtype != DType) || initial.Z.Any(t => !t.shape.SequenceEqual(zShape) || t.dtype != DType))
        {
            throw new ArgumentException($"The initial memory must hold, for each of the {_layers.Length} layers, M [{string.Join(", ", mShape)}] and z [{string.Join(", ", zShape)}] in {DType}, and {batch} row flags.", nameof(options));
        }

        return (initial, initial.Holds.Any(h => h) ? initial.HoldsMask(DType) : null);
    }

    /// <summary>A layer's memory at the start: the initial memory in the rows that hold tokens, zeros elsewhere.</summary>
    private (Tensor M, Tensor Z) StartMemory(LongRouteMemory? initial, Tensor? warmRows, int layer, long batch) => warmRows is null
        ? (zeros([batch, _a.NumKvHeads, _a.HeadDim, _a.HeadDim], DType), zeros([batch, _a.NumKvHeads, _a.HeadDim, 1], DType))
        : (initial!.M[layer] * warmRows, initial.Z[layer] * warmRows);

    /// <summary>The memory at the end, detached: a row holds tokens if this run wrote any or its initial memory held some.</summary>
    private static LongRouteMemory EndMemory(Tensor[] m, Tensor[] z, bool wrote, LongRouteMemory? initial, Tensor? warmRows) => new(
        m.Select(t => t.detach().clone()).ToArray(),
        z.Select(t => t.detach().clone()).ToArray(),
        Enumerable.Range(0, (int)m[0].shape[0]).Select(r => wrote || (warmRows is not null && initial!.Holds[r])).ToArray());

    /// <summary>Moves the window's oldest <paramref name="count"/> tokens (after the sink) into memory, or drops them.</summary>
    private static void Evict(ref Tensor keys, ref Tensor values, ref Tensor m, ref Tensor z, int sink, int count, bool memoryOn, LongRouteSettings settings)
    {
        long length = keys.shape[2];
        var oldK = keys.narrow(2, sink, count);
        var oldV = values.narrow(2, sink, count);
        keys = cat([keys.narrow(2, 0, sink), keys.narrow(2, sink + count, length - sink - count)], 2);
        values = cat([values.narrow(2, 0, sink), values.narrow(2, sink + count, length - sink - count)], 2);
        if (memoryOn)
        {
            Write(ref m, ref z, oldK, oldV, settings);
        }
    }

    /// <summary>Writes a block of keys (before RoPE) and values <c>[B, KV, n, Dh]</c> into the memory (DESIGN §1).</summary>
    private static void Write(ref Tensor m, ref Tensor z, Tensor oldK, Tensor oldV, LongRouteSettings settings)
    {
        var sk = Sigma(oldK, settings);
        var delta = oldV;
        if (settings.UpdateRule == MemoryUpdateRule.Delta && settings.FeatureMap == MemoryFeatureMap.L2Normalized)
        {
            // Token by token, in closed form: u_t = v_t − k_t M − Σ_{s<t} (k_t·k_s) u_s, so U = (I + tril(K Kᵀ, −1))⁻¹ (V − K M).
            var lower = sk.matmul(sk.transpose(-2, -1)).tril(-1);
            delta = linalg.solve_triangular(lower, oldV - sk.matmul(m), upper: false, left: true, unitriangular: true);
        }
        else if (settings.UpdateRule == MemoryUpdateRule.Delta)
        {
            // Retrieval uses the memory as it was before this block, for every token of the block.
            delta = oldV - Read(sk, m, z, settings);
        }

        m = m + sk.transpose(-2, -1).matmul(delta);
        z = z + sk.sum(2).unsqueeze(-1);
    }

    private static Tensor Sigma(Tensor x, LongRouteSettings settings)
    {
        // Scalars held in variables until the native calls return: a temporary Scalar can be finalized while one runs.
        using TorchSharp.Scalar two = 2, eps = settings.Epsilon, scale = settings.FeatureScale, max = ExponentialFeatures.MaxExponent, one = 1;
        return settings.FeatureMap switch
        {
            MemoryFeatureMap.L2Normalized => x * (x.pow(two).sum(-1, keepdim: true) + eps).rsqrt(),
            MemoryFeatureMap.Exponential => (x * scale).clamp_max(max).exp(),
            _ => F.elu(x, 1.0, false) + one,
        };
    }

    /// <summary>What the memory recalls for features σ: <c>σ M / (σ z + ε)</c>, or <c>σ M</c> for unit-length features.</summary>
    private static Tensor Read(Tensor sigma, Tensor m, Tensor z, LongRouteSettings settings) => settings.FeatureMap == MemoryFeatureMap.L2Normalized
        ? sigma.matmul(m)
        : sigma.matmul(m) / (sigma.matmul(z) + settings.Epsilon);

    private static double Scalar(Tensor t)
    {
        using var d = t.detach().to_type(ScalarType.Float64);
        return d.item<double>();
    }

    private static float[] ToFloats(Tensor t)
    {
        using var f = t.detach().to_type(ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }

    private Tensor Embed(Tensor ids)
    {
        int b = (int)ids.shape[0], n = (int)ids.shape[1];
        return _embedding.index_select(0, ids.reshape(-1)).reshape(b, n, _a.HiddenSize);
    }

    private Tensor Head(Tensor h) => F.linear(RmsNorm(h, _finalNorm), _lmHead);

    /// <summary>Input norm and projections: x <c>[B,n,d]</c>, q <c>[B,H,n,Dh]</c>, k and v <c>[B,KV,n,Dh]</c>, q and k before RoPE.</summary>
    private (Tensor X, Tensor Q, Tensor K, Tensor V) Project(LayerTensors l, Tensor h, int b, int n)
    {
        int hd = _a.HeadDim;
        var x = RmsNorm(h, l.InputNorm);
        var q = F.linear(x, l.Q, l.QBias).reshape(b, n, _a.NumHeads, hd);
        var k = F.linear(x, l.K, l.KBias).reshape(b, n, _a.NumKvHeads, hd);
        var v = F.linear(x, l.V, l.VBias).reshape(b, n, _a.NumKvHeads, hd);
        if (l.QNorm is not null && l.KNorm is not null)
        {
            q = RmsNorm(q, l.QNorm);
            k = RmsNorm(k, l.KNorm);
        }

        return (x, q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2));
    }

    /// <summary>Causal softmax attention of queries at cache positions <c>past..past+n−1</c> over keys at <c>0..</c>.</summary>
    private Tensor Attend(Tensor q, Tensor k, Tensor v, int past)
    {
        int group = _a.GroupSize;
        if (group > 1)
        {
            k = k.repeat_interleave(group, 1);
            v = v.repeat_interleave(group, 1);
        }

        long n = q.shape[2], length = k.shape[2];
        var scores = q.matmul(k.transpose(-2, -1)) * (1.0 / Math.Sqrt(_a.HeadDim));
        var future = arange(length).unsqueeze(0) > (arange(n) + past).unsqueeze(1);

        // Held in a variable until the call returns: a temporary Scalar can be finalized while the native call runs.
        using TorchSharp.Scalar masked = double.NegativeInfinity;
        return scores.masked_fill(future, masked).softmax(-1).matmul(v);
    }

    /// <summary>
    /// <c>A = A_local + g·(A_mem − A_local)</c>, <c>A_mem</c> the memory's read of σ(Q), <c>g = sigmoid(x·w + b)</c>;
    /// <paramref name="rows"/> (<c>[B, 1, 1, 1]</c>, 1 or 0) keeps the gate shut for sequences whose memory holds nothing.
    /// </summary>
    private Tensor Gate(int layer, Tensor x, Tensor q, Tensor local, Tensor m, Tensor z, Tensor? rows, LongRouteSettings settings)
    {
        int group = _a.GroupSize;
        if (group > 1)
        {
            m = m.repeat_interleave(group, 1);
            z = z.repeat_interleave(group, 1);
        }

        var memory = Read(Sigma(q, settings), m, z, settings);
        var g = (x.matmul(_gateW[layer]) + _gateB[layer]).sigmoid().transpose(1, 2).unsqueeze(-1);
        if (rows is not null)
        {
            g = g * rows;
        }

        return local + g * (memory - local);
    }

    /// <summary>o_proj, residual, then the SwiGLU MLP and its residual.</summary>
    private Tensor Block(LayerTensors l, Tensor h, Tensor attention, int b, int n)
    {
        var flat = attention.transpose(1, 2).reshape(b, n, _a.NumHeads * _a.HeadDim);
        h = h + F.linear(flat, l.O, l.OBias);
        var x = RmsNorm(h, l.PostNorm);
        return h + F.linear(F.silu(F.linear(x, l.Gate)) * F.linear(x, l.Up), l.Down);
    }

    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        // Scalars held in variables until the native calls return: a temporary Scalar can be finalized while one runs.
        using TorchSharp.Scalar two = 2, eps = _a.RmsNormEps;
        return x * (x.pow(two).mean([-1L], keepdim: true) + eps).rsqrt() * weight;
    }

    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        long half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], -1);
    }

    /// <summary>cos/sin <c>[count, Dh/2]</c> for positions <c>start..start+count−1</c>, from the engine's inverse frequencies.</summary>
    private (Tensor Cos, Tensor Sin) Rope(int start, int count)
    {
        int needed = start + count;
        if (_cos is null || _cos.shape[0] < needed)
        {
            int length = Math.Max(needed, 2 * (int)(_cos?.shape[0] ?? 64));
            int half = _invFreq.Length;
            var cos = new double[(long)length * half];
            var sin = new double[(long)length * half];
            for (int p = 0; p < length; p++)
            {
                for (int j = 0; j < half; j++)
                {
                    // The engine's rotary caches hold float32 values of the double-precision angle.
                    double angle = p * _invFreq[j];
                    cos[(long)p * half + j] = DType == ScalarType.Float32 ? (float)Math.Cos(angle) : Math.Cos(angle);
                    sin[(long)p * half + j] = DType == ScalarType.Float32 ? (float)Math.Sin(angle) : Math.Sin(angle);
                }
            }

            _cos?.Dispose();
            _sin?.Dispose();
            using var cosRaw = tensor(cos, [length, half]);
            using var sinRaw = tensor(sin, [length, half]);
            _cos = cosRaw.to_type(DType).DetachFromDisposeScope();
            _sin = sinRaw.to_type(DType).DetachFromDisposeScope();
        }

        return (_cos.narrow(0, start, count), _sin!.narrow(0, start, count));
    }
}
