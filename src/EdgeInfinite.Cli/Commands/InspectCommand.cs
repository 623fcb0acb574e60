using System.CommandLine;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite inspect &lt;package-dir&gt;</c>: family, dimensions, long-route settings and sizes.</summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter stdout)
    {
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package folder." };
        var command = new Command("inspect", "Show a package's family, dimensions, long-route settings and sizes.") { package };
        command.SetAction(parse =>
        {
            var p = ModelPackage.Open(parse.GetValue(package)!.FullName);
            var c = p.Config;
            var a = c.Architecture;
            long parameters = ParameterCount(a);
            long gates = (long)a.NumLayers * a.NumHeads * (a.HiddenSize + 1);
            stdout.WriteLine($"package       {p.Directory}");
            stdout.WriteLine($"name          {c.Name} (format {c.FormatVersion})");
            stdout.WriteLine($"family        {a.Family.ToString().ToLowerInvariant()}");
            stdout.WriteLine($"dimensions    layers {a.NumLayers}, hidden {a.HiddenSize}, intermediate {a.IntermediateSize}, heads {a.NumHeads}, kv heads {a.NumKvHeads}, head dim {a.HeadDim}, vocab {a.VocabSize}");
            stdout.WriteLine($"rope          theta {a.RopeTheta}{(a.RopeScaling is { } s ? $", llama3 scaling x{s.Factor}" : string.Empty)}, max positions {c.MaxPositions}");
            stdout.WriteLine($"long route    S {c.LongRoute.SinkTokens}, W {c.LongRoute.WindowTokens}, L {c.LongRoute.SegmentTokens}, threshold {c.LongRoute.RouteThreshold}, update {c.LongRoute.UpdateRule.ToString().ToLowerInvariant()}, features {c.LongRoute.FeatureMap}{(c.LongRoute.FeatureMap == MemoryFeatureMap.Exponential ? $" (β {c.LongRoute.FeatureScale})" : "")}, eps {c.LongRoute.Epsilon}");
            stdout.WriteLine($"weights       {GraphWeightInfo.Describe(c.Weights)}");
            stdout.WriteLine($"parameters    {parameters:N0} base + {gates:N0} gate ({100.0 * gates / parameters:0.###}%)");
            stdout.WriteLine($"memory state  {(long)a.NumLayers * a.NumKvHeads * a.HeadDim * (a.HeadDim + 1) * sizeof(float):N0} bytes compressed memory; {2L * a.NumLayers * a.NumKvHeads * a.HeadDim * sizeof(float):N0} bytes KV per token");
            stdout.WriteLine($"tokens        eos [{string.Join(", ", c.Tokens.EosTokenIds)}], bos {c.Tokens.BosTokenId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, tokenizer {(p.HasTokenizer ? "yes" : "none (id prompts only)")}");
            foreach (var file in new DirectoryInfo(p.Directory).EnumerateFiles().OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                stdout.WriteLine($"file          {file.Name,-24} {file.Length,14:N0} bytes");
            }

            return 0;
        });
        return command;
    }

    private static long ParameterCount(ModelArchitecture a)
    {
        long d = a.HiddenSize, hd = a.HeadDim;
        long attention = d * a.NumHeads * hd * 2 + d * a.NumKvHeads * hd * 2;
        long mlp = 3 * d * a.IntermediateSize;
        long embeddings = (a.TieWordEmbeddings ? 1 : 2) * (long)a.VocabSize * d;
        return a.NumLayers * (attention + mlp + 2 * d) + embeddings + d;
    }
}
