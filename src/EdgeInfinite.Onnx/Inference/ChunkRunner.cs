using EdgeInfinite.Onnx.LongRoute;
using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;
using C = EdgeInfinite.Onnx.Packaging.ChunkGraphContract;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>Runs the chunk graph: one call appends T tokens to a <see cref="KvCache"/> and returns their logits.</summary>
internal sealed class ChunkRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly ModelArchitecture _a;
    private readonly OrtValue[] _zeroMemory;
    private readonly OrtValue[] _zeroNorm;

    public ChunkRunner(ModelPackage package, SessionOptions options)
    {
        _a = package.Config.Architecture;
        try
        {
            _session = new InferenceSession(package.ChunkGraphPath, options);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidDataException($"Model package '{package.Directory}': ONNX Runtime cannot load '{package.Config.Files.ChunkGraph}' with its weights '{package.Config.Files.Weights}' (corrupt or truncated?): {ex.Message}", ex);
        }

        CheckGraph(package);
        int hd = _a.HeadDim;
        _zeroMemory = new OrtValue[_a.NumLayers];
        _zeroNorm = new OrtValue[_a.NumLayers];
        for (int i = 0; i < _a.NumLayers; i++)
        {
            // The short route reads an empty memory with the gate off: A_mem = 0 and the output is exactly A_local.
            _zeroMemory[i] = OrtValue.CreateTensorValueFromMemory(new float[_a.NumKvHeads * hd * hd], [1, _a.NumKvHeads, hd, hd]);
            _zeroNorm[i] = OrtValue.CreateTensorValueFromMemory(new float[_a.NumKvHeads * hd], [1, _a.NumKvHeads, hd, 1]);
        }

    }

    /// <summary>Creates the I/O binding a new state runs with.</summary>
    public ChunkBuffers CreateBuffers(int maxChunk) => new(_session, maxChunk, _a.VocabSize, _a.NumLayers);

    /// <summary>
    /// Appends <paramref name="ids"/> after the cache's valid positions; returns the buffer that holds the logits of
    /// the last <paramref name="logitsToKeep"/> tokens.
    /// </summary>
    public float[] Run(KvCache cache, ReadOnlySpan<int> ids, int logitsToKeep, ChunkBuffers buffers, RunOptions runOptions, CompressiveMemory? memory, bool gateOn)
    {
        int t = ids.Length;
        if (cache.Length + t > cache.Capacity)
        {
            throw new InvalidOperationException($"The KV cache holds {cache.Length} of {cache.Capacity} positions and cannot take {t} more.");
        }

        for (int i = 0; i < t; i++)
        {
            buffers.Ids[i] = ids[i];
        }

        int total = cache.Length + t;
        buffers.Scalars[0] = total - 1;
        buffers.Scalars[1] = total;
        buffers.Keep[0] = logitsToKeep;
        buffers.Gate[0] = gateOn ? 1f : 0f;
        buffers.BindState(cache, memory, _zeroMemory, _zeroNorm);
        var logits = buffers.BindTokens(t, logitsToKeep);
        _session.RunWithBinding(runOptions, buffers.Binding);
        cache.Length = total;
        return logits;
    }

    public void Dispose()
    {
        _session.Dispose();
        foreach (var v in _zeroMemory.Concat(_zeroNorm))
        {
            v.Dispose();
        }
    }

    private void CheckGraph(ModelPackage package)
    {
        foreach (string name in new[] { C.InputIds, C.SeqLensK, C.GateEnable, C.PastKey(_a.NumLayers - 1), C.Memory(_a.NumLayers - 1) })
        {
            if (!_session.InputMetadata.ContainsKey(name))
            {
                throw new InvalidDataException($"Model package '{package.Directory}': '{package.Config.Files.ChunkGraph}' has no input '{name}'; it does not match edgeinfinite.json (numLayers {_a.NumLayers}) or is not an EdgeInfinite chunk graph.");
            }
        }

        var graph = GraphWeightInfo.Read(_session.ModelMetadata.CustomMetadataMap);
        var expected = package.Config.Weights;
        if (graph.Precision != expected.Precision || (expected.IsQuantized && (graph.BlockSize != expected.BlockSize || graph.AccuracyLevel != expected.AccuracyLevel)))
        {
            throw new InvalidDataException(
                $"Model package '{package.Directory}': '{package.Config.Files.ChunkGraph}' holds {graph} weights but {PackageConfig.FileName} field 'weights' says {GraphWeightInfo.Describe(expected)}; the graph and the config do not belong together.");
        }
    }
}
