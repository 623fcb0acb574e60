using System.Text.Json;

namespace EdgeInfinite.ModelBuilder.Checkpoints;

/// <summary>
/// A Hugging Face checkpoint folder: <c>config.json</c>, <c>model.safetensors</c> or shards listed by
/// <c>model.safetensors.index.json</c>, and optionally the tokenizer files.
/// </summary>
public sealed class HfCheckpoint
{
    private readonly Dictionary<string, SafeTensorsFile> _tensorFiles;

    private HfCheckpoint(string directory, HfModelConfig config, Dictionary<string, SafeTensorsFile> tensorFiles)
    {
        Directory = directory;
        Config = config;
        _tensorFiles = tensorFiles;
    }

    /// <summary>Gets the checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the parsed config.</summary>
    public HfModelConfig Config { get; }

    /// <summary>Gets a value indicating whether the folder has <c>tokenizer.json</c>.</summary>
    public bool HasTokenizer => File.Exists(System.IO.Path.Combine(Directory, "tokenizer.json"));

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

        var config = HfConfigReader.Read(System.IO.Path.Combine(directory, "config.json"));
        var files = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
        string index = System.IO.Path.Combine(directory, "model.safetensors.index.json");
        string single = System.IO.Path.Combine(directory, "model.safetensors");
        if (File.Exists(index))
        {
            foreach (var (tensor, shard) in ReadIndex(index))
            {
                files[tensor] = OpenShard(directory, shard, files.Values);
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
            throw new FileNotFoundException($"Checkpoint folder '{directory}' has neither model.safetensors nor model.safetensors.index.json.", single);
        }

        return new HfCheckpoint(directory, config, files);
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

    private static SafeTensorsFile OpenShard(string directory, string shard, IEnumerable<SafeTensorsFile> opened)
    {
        string path = System.IO.Path.Combine(directory, shard);
        return opened.FirstOrDefault(f => f.Path == path) ?? SafeTensorsFile.Open(path);
    }

    private static IEnumerable<(string Tensor, string Shard)> ReadIndex(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"'{path}' has no weight_map object.");
            }

            return map.EnumerateObject().Select(p => (p.Name, p.Value.GetString() ?? throw new InvalidDataException($"'{path}': weight_map entry '{p.Name}' is not a file name."))).ToList();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
