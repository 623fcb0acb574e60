using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Writes a Hugging Face checkpoint folder: config.json and one safetensors file, or two shards with an index.</summary>
public static class CheckpointFolder
{
    /// <summary>The first shard's file name.</summary>
    public const string FirstShard = "model-00001-of-00002.safetensors";

    /// <summary>The second shard's file name.</summary>
    public const string SecondShard = "model-00002-of-00002.safetensors";

    /// <summary>Writes the folder.</summary>
    /// <param name="directory">The folder (created).</param>
    /// <param name="config">The config.json contents.</param>
    /// <param name="tensors">The tensors.</param>
    /// <param name="sharded">Whether to split the tensors over two shards listed by model.safetensors.index.json.</param>
    public static void Write(string directory, JsonObject config, IReadOnlyList<TestTensor> tensors, bool sharded)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensors);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!sharded)
        {
            EdgeInfinite.ModelBuilder.Checkpoints.SafeTensorsWriter.Write(Path.Combine(directory, "model.safetensors"), tensors.Select(t => (t.Name, t.Shape, t.Data)));
            return;
        }

        int half = tensors.Count / 2;
        var first = tensors.Take(half).ToList();
        var second = tensors.Skip(half).ToList();
        EdgeInfinite.ModelBuilder.Checkpoints.SafeTensorsWriter.Write(Path.Combine(directory, FirstShard), first.Select(t => (t.Name, t.Shape, t.Data)));
        EdgeInfinite.ModelBuilder.Checkpoints.SafeTensorsWriter.Write(Path.Combine(directory, SecondShard), second.Select(t => (t.Name, t.Shape, t.Data)));
        var map = new JsonObject();
        foreach (var t in first)
        {
            map[t.Name] = FirstShard;
        }

        foreach (var t in second)
        {
            map[t.Name] = SecondShard;
        }

        var index = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = tensors.Sum(t => t.Data.LongLength * sizeof(float)) },
            ["weight_map"] = map,
        };
        File.WriteAllText(Path.Combine(directory, "model.safetensors.index.json"), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
