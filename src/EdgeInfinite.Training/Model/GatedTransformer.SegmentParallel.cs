using EdgeInfinite.Onnx.Packaging;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace EdgeInfinite.Training.Model;

/// <summary>
/// The long route computed layer by layer over all segments at once instead of chunk by chunk. It is the same function
/// as the engine's schedule (see <see cref="ForwardLong"/>) when the window is a whole number of segments: chunk
/// <c>c</c> then sees the sink, segments <c>c − W/L … c</c> and the memory of segments <c>0 … c − W/L − 1</c>. Only the
/// memory recurrence runs segment by segment; projections, local attention (the window of every chunk stacked) and
/// the MLP run as a few large operations, which is what makes training through the long route affordable.
/// </summary>
public sealed partial class GatedTransformer
{
    /// <summary>Whether <see cref="ForwardLongParallel"/> computes the engine's schedule for this length and these settings.</summary>
    private static bool FitsSegmentParallel(int total, LongRouteSettings settings) =>
        settings.WindowTokens % settings.SegmentTokens == 0 && total > settings.SinkTokens;

    private LongRouteRun ForwardLongParallel(Tensor ids, LongRouteSettings settings, LongRouteOptions options)
    {
        int b = (int)ids.shape[0], total = (int)ids.shape[1];
        int s = settings.SinkTokens, segment = settings.SegmentTokens, windowSegments = settings.WindowTokens / segment;
        int chunks = (total - s + segment - 1) / segment, pad = (chunks * segment) - (total - s);

        // From an empty memory chunks 0 … W/L read nothing; the rest are gated once memory holds a segment. Sequences
        // that start from a memory holding tokens are gated from their first token.
        int gated = Math.Max(0, chunks - 1 - windowSegments);
        var (initial, warmRows) = InitialMemory(options, b);
        bool gateOn = options.MemoryEnabled && options.GatesEnabled && (gated > 0 || warmRows is not null);
        int firstScored = s + ((windowSegments + 1) * segment);
        int scored = Math.Max(0, total - 1 - firstScored);
        var finalM = new Tensor[_layers.Length];
        var finalZ = new Tensor[_layers.Length];

        var (qCos, qSin, kCos, kSin, masked) = ChunkRotations(chunks, s, segment, windowSegments);
        var (sinkCos, sinkSin) = Rope(0, s);
        var h = Embed(ids);
        for (int i = 0; i < _layers.Length; i++)
        {
            var l = _layers[i];
            var (x, q, k, v) = Project(l, h, b, total);
            var sinkK = Rotate(k.narrow(2, 0, s), sinkCos, sinkSin);
            var sinkOut = Attend(Rotate(q.narrow(2, 0, s), sinkCos, sinkSin), sinkK, v.narrow(2, 0, s), past: 0);
            var qSeg = Segments(q, s, pad, chunks, segment);
            var kSeg = Segments(k, s, pad, chunks, segment);
            var vSeg = Segments(v, s, pad, chunks, segment);
            var local = AttendWindows(Rotate(qSeg, qCos, qSin), Rotate(Windows(kSeg, windowSegments), kCos, kSin), Windows(vSeg, windowSegments),
                sinkK, v.narrow(2, 0, s), masked);
            if (options.MemoryEnabled)
            {
                var (mStates, zStates) = Recur(kSeg, vSeg, StartMemory(initial, warmRows, i, b), gated, settings);
                finalM[i] = mStates[^1];
                finalZ[i] = zStates[^1];
                if (gateOn)
                {
                    local = GateChunks(i, x, qSeg, local, mStates, zStates, warmRows, windowSegments, pad, settings);
                    if (warmRows is not null)
                    {
                        sinkOut = Gate(i, x.narrow(1, 0, s), q.narrow(2, 0, s), sinkOut, mStates[0], zStates[0], warmRows, settings);
                    }
                }
            }

            var attention = cat([sinkOut, local.reshape(b, _a.NumHeads, chunks * segment, _a.HeadDim).narrow(2, 0, total - s)], 2);
            h = Block(l, h, attention, b, total);
        }

        Tensor? loss = null;
        if (options.Targets is { } targets && scored > 0)
        {
            var logitsFlat = Head(h.narrow(1, firstScored, scored)).reshape(-1, _a.VocabSize);
            var targetsFlat = targets.narrow(1, firstScored + 1, scored).reshape(-1);
            if (options.Weights is { } w)
            {
                var positionWeights = w.narrow(1, firstScored + 1, scored).reshape(-1);
                double count = positionWeights.sum().to_type(ScalarType.Float64).item<double>();
                loss = (F.cross_entropy(logitsFlat, targetsFlat, reduction: nn.Reduction.None) * positionWeights.to_type(logitsFlat.dtype)).sum() / count;
            }
            else
            {
                loss = F.cross_entropy(logitsFlat, targetsFlat, reduction: nn.Reduction.Sum) / ((double)b * scored);
            }

            if (options.BackwardPerWindow)
            {
                // One window: the whole sequence. The caller gets the value; the graph is freed by the backward pass.
                if (loss.requires_grad)
                {
                    loss.backward();
                }

                loss = loss.detach().to_type(ScalarType.Float64);
            }
        }

        var logits = options.ReturnLogits ? Head(h) : null;
        long inMemory = options.MemoryEnabled ? (long)gated * segment : 0;
        var memory = !options.ReturnMemory ? null
            : options.MemoryEnabled ? EndMemory(finalM, finalZ, gated > 0, initial, warmRows)
            : LongRouteMemory.Empty(_layers.Length, b, _a.NumKvHeads, _a.HeadDim, DType);
        int firstGated = !gateOn ? -1 : warmRows is not null ? 0 : firstScored;
        return new LongRouteRun(logits, loss, firstGated, inMemory, memory);
    }

    /// <summary>The tokens after the sink as whole segments: <c>[B, heads, n, Dh]</c> → <c>[B, heads, chunks, L, Dh]</c>, zero-padded at the end.</summary>
    private static Tensor Segments(Tensor t, int sink, int pad, int chunks, int segment)
    {
        var rest = t.narrow(2, sink, t.shape[2] - sink);
        if (pad > 0)
        {
            rest = cat([rest, zeros([t.shape[0], t.shape[1], pad, t.shape[3]], t.dtype)], 2);
        }

        return rest.reshape(t.shape[0], t.shape[1], chunks, segment, t.shape[3]);
    }

    /// <summary>Per chunk, the window it attends: segments <c>c − W/L … c</c> (zeros before the first), <c>[B, heads, chunks, (W/L + 1)·L, Dh]</c>.</summary>
    private static Tensor Windows(Tensor segments, int windowSegments)
    {
        long b = segments.shape[0], heads = segments.shape[1], chunks = segments.shape[2], segment = segments.shape[3], hd = segments.shape[4];
        var padded = cat([zeros([b, heads, windowSegments, segment, hd], segments.dtype), segments], 2);
        var slots = Enumerable.Range(0, windowSegments + 1).Select(j => padded.narrow(2, j, chunks)).ToArray();
        return stack(slots, 3).reshape(b, heads, chunks, (windowSegments + 1) * segment, hd);
    }

    /// <summary>Softmax attention of every chunk's queries over the sink and its window, masked to the engine's cache.</summary>
    private Tensor AttendWindows(Tensor q, Tensor windowK, Tensor windowV, Tensor sinkK, Tensor sinkV, Tensor masked)
    {
        int group = _a.GroupSize;
        if (group > 1)
        {
            windowK = windowK.repeat_interleave(group, 1);
            windowV = windowV.repeat_interleave(group, 1);
            sinkK = sinkK.repeat_interleave(group, 1);
            sinkV = sinkV.repeat_interleave(group, 1);
        }

        int sink = (int)sinkK.shape[2];
        double scale = 1.0 / Math.Sqrt(_a.HeadDim);
        var sinkScores = q.matmul(sinkK.unsqueeze(2).transpose(-2, -1));
        var windowScores = q.matmul(windowK.transpose(-2, -1));

        // Held in a variable until the call returns: a temporary Scalar can be finalized while the native call runs.
        using TorchSharp.Scalar minusInfinity = double.NegativeInfinity;
        var probabilities = (cat([sinkScores, windowScores.masked_fill(masked, minusInfinity)], -1) * scale).softmax(-1);
        return probabilities.narrow(-1, 0, sink).matmul(sinkV.unsqueeze(2))
            + probabilities.narrow(-1, sink, windowK.shape[3]).matmul(windowV);
    }

    /// <summary>
    /// The memory recurrence of one layer: the delta (or linear) rule writes segment after segment. Entry <c>j</c> is the
    /// memory after <c>j</c> segments (entry 0 the memory it starts from).
    /// </summary>
    private static (Tensor[] M, Tensor[] Z) Recur(Tensor kSeg, Tensor vSeg, (Tensor M, Tensor Z) start, int writes, LongRouteSettings settings)
    {
        var (m, z) = start;
        var mStates = new Tensor[writes + 1];
        var zStates = new Tensor[writes + 1];
        mStates[0] = m;
        zStates[0] = z;
        for (int j = 0; j < writes; j++)
        {
            Write(ref m, ref z, kSeg.select(2, j), vSeg.select(2, j), settings);
            mStates[j + 1] = m;
            zStates[j + 1] = z;
        }

        return (mStates, zStates);
    }

    /// <summary>
    /// The gate for every chunk that reads memory: chunk <c>c</c> reads the memory of segments <c>0 … c − W/L − 1</c> and
    /// its gate blends that read into the local attention. From an empty memory that is chunks W/L + 1 onwards; with
    /// <paramref name="warmRows"/> every chunk, the earlier ones (reading the initial memory) only in those rows.
    /// </summary>
    private Tensor GateChunks(int layer, Tensor x, Tensor qSeg, Tensor local, Tensor[] mStates, Tensor[] zStates, Tensor? warmRows, int windowSegments, int pad, LongRouteSettings settings)
    {
        int chunks = (int)local.shape[2], segment = (int)qSeg.shape[3], first = windowSegments + 1;
        int from = warmRows is null ? first : 0, reads = chunks - from;
        var written = Enumerable.Range(from, reads).Select(c => Math.Max(0, c - windowSegments)).ToArray();
        var ms = stack(written.Select(j => mStates[j]).ToArray(), 2);
        var zs = stack(written.Select(j => zStates[j]).ToArray(), 2);
        int group = _a.GroupSize;
        if (group > 1)
        {
            ms = ms.repeat_interleave(group, 1);
            zs = zs.repeat_interleave(group, 1);
        }

        var memory = Read(Sigma(qSeg.narrow(2, from, reads), settings), ms, zs, settings);
        var g = (x.matmul(_gateW[layer]) + _gateB[layer]).sigmoid();   // [B, T, H]
        var gSeg = Segments(g.transpose(1, 2).unsqueeze(-1), settings.SinkTokens, pad, chunks, segment).narrow(2, from, reads);
        if (warmRows is not null)
        {
            // Before the first eviction only rows whose initial memory holds tokens read it.
            int early = Math.Min(first, reads);
            var masked = gSeg.narrow(2, 0, early) * warmRows.unsqueeze(-1);
            gSeg = reads > early ? cat([masked, gSeg.narrow(2, early, reads - early)], 2) : masked;
        }

        var localGated = local.narrow(2, from, reads);
        var blended = localGated + gSeg * (memory - localGated);
        return from == 0 ? blended : cat([local.narrow(2, 0, from), blended], 2);
    }

    /// <summary>
    /// cos/sin at the engine's cache positions: chunk <c>c</c>'s queries at <c>S + min(c, W/L)·L + i</c>, its window slot
    /// <c>j</c> (segment <c>c − W/L + j</c>) at <c>S + (j − W/L + min(c, W/L))·L + i</c>; and which window slots are not in
    /// the cache (before the stream's start, or after the query in its own segment).
    /// </summary>
    private (Tensor QCos, Tensor QSin, Tensor KCos, Tensor KSin, Tensor Masked) ChunkRotations(int chunks, int sink, int segment, int windowSegments)
    {
        int slots = (windowSegments + 1) * segment;
        var qPositions = new long[(long)chunks * segment];
        var kPositions = new long[(long)chunks * slots];
        var masked = new bool[(long)chunks * segment * slots];
        for (int c = 0; c < chunks; c++)
        {
            int filled = Math.Min(c, windowSegments);
            for (int i = 0; i < segment; i++)
            {
                qPositions[((long)c * segment) + i] = sink + (filled * segment) + i;
            }

            for (int j = 0; j < slots; j++)
            {
                int slotSegment = j / segment, offset = j % segment;
                bool before = c - windowSegments + slotSegment < 0;
                kPositions[((long)c * slots) + j] = before ? 0 : sink + ((slotSegment - windowSegments + filled) * segment) + offset;
                for (int i = 0; i < segment; i++)
                {
                    masked[(((long)c * segment) + i) * slots + j] = before || (slotSegment == windowSegments && offset > i);
                }
            }
        }

        int highest = sink + ((windowSegments + 1) * segment);
        var (cos, sin) = Rope(0, highest);
        int half = (int)cos.shape[1];
        using var qIndex = tensor(qPositions);
        using var kIndex = tensor(kPositions);
        return (
            cos.index_select(0, qIndex).reshape(chunks, segment, half),
            sin.index_select(0, qIndex).reshape(chunks, segment, half),
            cos.index_select(0, kIndex).reshape(chunks, slots, half),
            sin.index_select(0, kIndex).reshape(chunks, slots, half),
            tensor(masked).reshape(chunks, segment, slots));
    }
}
