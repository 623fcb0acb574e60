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
    /// Appends <paramref name="ids"/> after the cache's valid positions and writes the logits of the last
    /// <paramref name="logitsToKeep"/> tokens into <paramref name="logits"/>.
    /// </summary>
    public void Run(KvCache cache, ReadOnlySpan<int> ids, int logitsToKeep, float[] logits, RunOptions runOptions, CompressiveMemory? memory, bool gateOn)
    {
        int t = ids.Length;
        if (cache.Length + t > cache.Capacity)
        {
            throw new InvalidOperationException($"The KV cache holds {cache.Length} of {cache.Capacity} positions and cannot take {t} more.");
        }

        var idArray = new long[t];
        for (int i = 0; i < t; i++)
        {
            idArray[i] = ids[i];
        }

        int total = cache.Length + t;
        using var inputIds = OrtValue.CreateTensorValueFromMemory(idArray, [1, t]);
        using var seqlens = OrtValue.CreateTensorValueFromMemory(new[] { total - 1 }, [1]);
        using var totalLen = OrtValue.CreateTensorValueFromMemory(new[] { total }, []);
        using var keep = OrtValue.CreateTensorValueFromMemory(new long[] { logitsToKeep }, [1]);
        using var gate = OrtValue.CreateTensorValueFromMemory(new float[] { gateOn ? 1f : 0f }, [1]);
        using var logitsValue = OrtValue.CreateTensorValueFromMemory(logits, [1, logitsToKeep, _a.VocabSize]);
        var inputs = new List<OrtValue>(_inputNames.Length) { inputIds, seqlens, totalLen, keep, gate };
        var outputs = new List<OrtValue>(_outputNames.Length) { logitsValue };
        for (int i = 0; i < _a.NumLayers; i++)
        {
            inputs.AddRange([cache.Keys[i], cache.Values[i], memory?.Matrices[i] ?? _zeroMemory[i], memory?.Norms[i] ?? _zeroNorm[i]]);
            outputs.AddRange([cache.Keys[i], cache.Values[i]]);
        }

        _session.Run(runOptions, _inputNames, inputs, _outputNames, outputs);
        cache.Length = total;
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
