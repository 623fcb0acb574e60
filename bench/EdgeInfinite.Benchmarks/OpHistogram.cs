using EdgeInfinite.Onnx.Packaging;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace EdgeInfinite.Benchmarks;

/// <summary>Counts a package's chunk-graph nodes by op type, as written and after ONNX Runtime's optimizer (ORT_ENABLE_ALL).</summary>
internal static class OpHistogram
{
    public static readonly string[] InterestingOps =
        ["SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization", "Pow", "ReduceMean", "MatMul", "Split", "GroupQueryAttention", "ScatterND", "Softmax"];

    public static (Dictionary<string, int> Written, Dictionary<string, int> Optimized) Count(string packageDirectory, string scratchFile)
    {
        var package = ModelPackage.Open(packageDirectory);
        var written = Histogram(ModelProto.Parser.ParseFrom(File.ReadAllBytes(package.ChunkGraphPath)));
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = scratchFile, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR })
        using (new InferenceSession(package.ChunkGraphPath, options))
        {
        }

        var optimized = Histogram(ModelProto.Parser.ParseFrom(File.ReadAllBytes(scratchFile)));
        File.Delete(scratchFile);
        return (written, optimized);
    }

    private static Dictionary<string, int> Histogram(ModelProto model)
    {
        var counts = model.Graph.Node.GroupBy(n => n.OpType, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        counts["(all nodes)"] = model.Graph.Node.Count;
        return counts;
    }
}
