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
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;

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

        var inputs = new List<string> { C.InputIds, C.SeqLensK, C.TotalSequenceLength, C.NumLogitsToKeep, C.GateEnable };
        var outputs = new List<string> { C.Logits };
        for (int i = 0; i < _a.NumLayers; i++)
        {
            inputs.AddRange([C.PastKey(i), C.PastValue(i), C.Memory(i), C.MemoryNorm(i)]);
            outputs.AddRange([C.PresentKey(i), C.PresentValue(i)]);
        }

        _inputNames = [.. inputs];
        _outputNames = [.. outputs];
    }

    /// <summary>
    /// Appends <paramref name="ids"/> after the cache's valid positions and leaves the logits of the last
    /// <paramref name="logitsToKeep"/> tokens in <paramref name="buffers"/>; returns that logits array.
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
        var logits = buffers.Logits(logitsToKeep);
        using var inputIds = ChunkBuffers.Wrap(buffers.Ids, t, [1, t]);
        using var seqlens = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<int>(buffers.Scalars, 0, 1), [1]);
        using var totalLen = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<int>(buffers.Scalars, 1, 1), []);
        using var keep = ChunkBuffers.Wrap(buffers.Keep, 1, [1]);
        using var gate = ChunkBuffers.Wrap(buffers.Gate, 1, [1]);
        using var logitsValue = ChunkBuffers.Wrap(logits, logitsToKeep * _a.VocabSize, [1, logitsToKeep, _a.VocabSize]);
        var runInputs = new OrtValue[_inputNames.Length];
        var runOutputs = new OrtValue[_outputNames.Length];
        runInputs[0] = inputIds;
        runInputs[1] = seqlens;
        runInputs[2] = totalLen;
        runInputs[3] = keep;
        runInputs[4] = gate;
        runOutputs[0] = logitsValue;
        for (int i = 0; i < _a.NumLayers; i++)
        {
            runInputs[5 + 4 * i] = cache.Keys[i];
            runInputs[6 + 4 * i] = cache.Values[i];
            runInputs[7 + 4 * i] = memory?.Matrices[i] ?? _zeroMemory[i];
            runInputs[8 + 4 * i] = memory?.Norms[i] ?? _zeroNorm[i];
            runOutputs[1 + 2 * i] = cache.Keys[i];
            runOutputs[2 + 2 * i] = cache.Values[i];
        }

        _session.Run(runOptions, _inputNames, runInputs, _outputNames, runOutputs);
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
    }
}
