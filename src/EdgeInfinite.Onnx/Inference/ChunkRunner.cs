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
    private readonly QuantizedEmbedding? _embedding;

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
        if (_session.InputMetadata.ContainsKey(C.InputsEmbeds))
        {
            _embedding = QuantizedEmbedding.Open(package, _session.ModelMetadata.CustomMetadataMap);
        }

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
    public ChunkBuffers CreateBuffers(int maxChunk) => new(_session, maxChunk, _a.VocabSize, _a.NumLayers, _embedding is null ? 0 : _a.HiddenSize);

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

        _embedding?.Lookup(buffers.Ids.AsSpan(0, t), buffers.Embeds);

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
        _embedding?.Dispose();
        foreach (var v in _zeroMemory.Concat(_zeroNorm))
        {
            v.Dispose();
        }
    }

    /// <summary>
    /// Checks the config against the graph at load, so a package whose edgeinfinite.json disagrees with its graph
    /// (vocabulary, layers, KV heads, head size, baked constants) fails here and not on every request later.
    /// </summary>
    private void CheckGraph(ModelPackage package)
    {
        string graph = package.Config.Files.ChunkGraph;
        string configFile = Path.Combine(package.Directory, PackageConfig.FileName);
        int kv = _a.NumKvHeads, hd = _a.HeadDim;

        void Expect(IReadOnlyDictionary<string, NodeMetadata> nodes, string name, string kind, params int[] dims)
        {
            if (!nodes.TryGetValue(name, out var node))
            {
                throw new InvalidDataException($"'{configFile}' does not match '{graph}': the graph has no {kind} '{name}' (numLayers {_a.NumLayers}), or it is not an EdgeInfinite chunk graph.");
            }

            if (node.IsTensor && node.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            {
                // A float16 or int8 KV cache graph (built for measurement, docs/quantization.md) is not served.
                throw new InvalidDataException($"Model package '{package.Directory}': {kind} '{name}' of '{graph}' holds {node.ElementDataType} elements; the engine runs float32 KV caches, memories and logits only.");
            }

            var actual = node.Dimensions;
            bool same = node.IsTensor && actual.Length == dims.Length
                && actual.Zip(dims).All(p => p.Second < 0 || p.First < 0 || p.First == p.Second);
            if (!same)
            {
                throw new InvalidDataException($"'{configFile}' does not match '{graph}': {kind} '{name}' has shape [{string.Join(", ", actual)}] but the config (vocabSize {_a.VocabSize}, numKvHeads {kv}, headDim {hd}) needs [{string.Join(", ", dims.Select(d => d < 0 ? "*" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}].");
            }
        }

        var inputs = _session.InputMetadata;
        var outputs = _session.OutputMetadata;
        if (!inputs.ContainsKey(C.InputIds) && !inputs.ContainsKey(C.InputsEmbeds))
        {
            throw new InvalidDataException($"Model package '{package.Directory}': '{graph}' has neither '{C.InputIds}' nor '{C.InputsEmbeds}'; it is not an EdgeInfinite chunk graph.");
        }

        foreach (string name in new[] { C.SeqLensK, C.TotalSequenceLength, C.NumLogitsToKeep, C.GateEnable })
        {
            if (!inputs.ContainsKey(name))
            {
                throw new InvalidDataException($"Model package '{package.Directory}': '{graph}' has no input '{name}'; it is not an EdgeInfinite chunk graph.");
            }
        }

        for (int i = 0; i < _a.NumLayers; i++)
        {
            Expect(inputs, C.PastKey(i), "input", 1, kv, -1, hd);
            Expect(inputs, C.PastValue(i), "input", 1, kv, -1, hd);
            Expect(inputs, C.Memory(i), "input", 1, kv, hd, hd);
            Expect(inputs, C.MemoryNorm(i), "input", 1, kv, hd, 1);
            Expect(outputs, C.PresentKey(i), "output", 1, kv, -1, hd);
            Expect(outputs, C.PresentValue(i), "output", 1, kv, -1, hd);
        }

        if (inputs.ContainsKey(C.PastKey(_a.NumLayers)))
        {
            throw new InvalidDataException($"'{configFile}' does not match '{graph}': architecture.numLayers = {_a.NumLayers} but the graph has more layers.");
        }

        Expect(outputs, C.Logits, "output", 1, -1, _a.VocabSize);
        ChunkGraphConstants.Check(_session.ModelMetadata.CustomMetadataMap, package.Config, graph, configFile);

        var weightInfo = GraphWeightInfo.Read(_session.ModelMetadata.CustomMetadataMap);
        var expected = package.Config.Weights;
        if (weightInfo.Precision != expected.Precision || (expected.IsQuantized && (weightInfo.BlockSize != expected.BlockSize || weightInfo.AccuracyLevel != expected.AccuracyLevel)))
        {
            throw new InvalidDataException(
                $"Model package '{package.Directory}': '{package.Config.Files.ChunkGraph}' holds {weightInfo} weights but {PackageConfig.FileName} field 'weights' says {GraphWeightInfo.Describe(expected)}; the graph and the config do not belong together.");
        }
    }
}
