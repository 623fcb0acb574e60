using EdgeInfinite.Onnx.Packaging;
using System.Text.Json;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// A Hugging Face checkpoint folder: <c>config.json</c>, <c>model.safetensors</c> or shards listed by
/// <c>model.safetensors.index.json</c>, and optionally the tokenizer files.
/// </summary>
public sealed class HfCheckpoint
{
    private readonly Dictionary<string, SafeTensorsFile> _tensorFiles;

    /// <summary>The largest <c>config.json</c> or <c>model.safetensors.index.json</c> read (real ones are a few KB to 100 KB).</summary>
    internal const long MaxConfigBytes = 16 << 20;

    /// <summary>The largest tokenizer file read (real <c>tokenizer.json</c> files reach about 35 MB).</summary>
    internal const long MaxTokenizerBytes = UntrustedFile.MaxTokenizerBytes;

    private HfCheckpoint(string directory, string root, HfModelConfig config, Dictionary<string, SafeTensorsFile> tensorFiles)
    {
        Directory = directory;
        Root = root;
        Config = config;
        _tensorFiles = tensorFiles;
    }

    /// <summary>Gets the checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>
    /// Gets the folder every file of the checkpoint must resolve into: the checkpoint folder itself, or, for a Hugging
    /// Face cache snapshot (<c>models--org--name/snapshots/&lt;revision&gt;</c>, whose files are links into
    /// <c>../../blobs</c>), the model's cache folder <c>models--org--name</c>.
    /// </summary>
    public string Root { get; }

    /// <summary>Gets the parsed config.</summary>
    public HfModelConfig Config { get; }

    /// <summary>Gets a value indicating whether the folder has <c>tokenizer.json</c>.</summary>
    public bool HasTokenizer => FindFile("tokenizer.json") is not null;

    /// <summary>Gets the names of all tensors in the checkpoint.</summary>
    public IReadOnlyCollection<string> TensorNames => _tensorFiles.Keys;

    /// <summary>Opens a checkpoint folder and indexes its tensors.</summary>
    /// <param name="directory">The folder.</param>
    /// <returns>The checkpoint.</returns>
    public static HfCheckpoint Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Checkpoint folder '{directory}' does not exist.");
        }

        directory = System.IO.Path.GetFullPath(directory);
        string root = CacheRoot(directory);
        var config = HfConfigReader.Read(ContainedPath.Resolve(directory, "config.json", System.IO.Path.Combine(directory, "config.json"), "config.json", root));
        var files = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        string index = ContainedPath.Resolve(directory, "model.safetensors.index.json", directory, "model.safetensors.index.json", root);
        string single = ContainedPath.Resolve(directory, "model.safetensors", directory, "model.safetensors", root);
        if (File.Exists(index))
        {
            foreach (var (tensor, shard) in ReadIndex(index))
            {
                string shardPath = ContainedPath.Resolve(directory, shard, index, $"weight_map['{tensor}']", root);
                files[tensor] = files.Values.FirstOrDefault(f => f.Path == shardPath) ?? SafeTensorsFile.Open(shardPath);
            }
        }
        else if (File.Exists(single))
        {
            var file = SafeTensorsFile.Open(single);
            foreach (string name in file.TensorNames)
            {
                files[name] = file;
            }
        }
        else
        {
            throw new FileNotFoundException($"Checkpoint folder '{directory}' has neither model.safetensors nor model.safetensors.index.json.", System.IO.Path.Combine(directory, "model.safetensors"));
        }

        return new HfCheckpoint(directory, root, config, files);
    }

    /// <summary>Finds an optional file of the checkpoint (a tokenizer file, generation_config.json).</summary>
    /// <param name="name">The file name.</param>
    /// <returns>Its real path, or <see langword="null"/> when the folder has no such file.</returns>
    /// <exception cref="InvalidDataException">The file is a link that leaves the checkpoint (or its Hugging Face cache folder).</exception>
    public string? FindFile(string name)
    {
        string path = ContainedPath.Resolve(Directory, name, System.IO.Path.Combine(Directory, name), name, Root);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Returns whether the checkpoint has a tensor.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns><see langword="true"/> when present.</returns>
    public bool Contains(string name) => _tensorFiles.ContainsKey(name);

    /// <summary>Reads a tensor as float32 and checks its shape.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="shape">The expected shape.</param>
    /// <returns>The values.</returns>
    /// <exception cref="InvalidDataException">The tensor is missing or has another shape.</exception>
    public float[] Read(string name, params long[] shape)
    {
        if (!_tensorFiles.TryGetValue(name, out var file))
        {
            throw new InvalidDataException($"Checkpoint '{Directory}' is missing tensor '{name}'.");
        }

        var entry = file.Find(name) ?? throw new InvalidDataException($"Shard '{file.Path}' does not contain tensor '{name}' that the index lists.");
        if (!entry.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException($"Tensor '{name}' in '{file.Path}' has shape [{string.Join(", ", entry.Shape)}]; expected [{string.Join(", ", shape)}] from config.json.");
        }

        return file.ReadFloat32(name);
    }

    private static string CacheRoot(string directory)
    {
        // models--org--name/snapshots/<revision>: the snapshot's files link to ../../blobs, inside models--org--name.
        string real = ContainedPath.RealPath(directory);
        var snapshots = System.IO.Directory.GetParent(real);
        var model = snapshots?.Parent;
        return snapshots?.Name == "snapshots" && model is not null && model.Name.StartsWith("models--", StringComparison.Ordinal) ? model.FullName : real;
    }

    private static IEnumerable<(string Tensor, string Shard)> ReadIndex(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(UntrustedFile.ReadAllBytes(path, MaxConfigBytes, "model.safetensors.index.json"));
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{path}' has no weight_map object.");
            }

            return map.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new InvalidDataException($"'{path}': weight_map['{p.Name}'] is not a file name."))).ToList();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
