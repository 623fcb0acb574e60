namespace EdgeInfinite.Onnx.Packaging;

/// <summary>A package folder on disk whose config has been read and whose files have been checked to exist.</summary>
public sealed class ModelPackage
{
    private ModelPackage(string directory, PackageConfig config)
    {
        Directory = directory;
        Config = config;
    }

    /// <summary>Gets the package folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the config.</summary>
    public PackageConfig Config { get; }

    /// <summary>Gets the chunk graph's path.</summary>
    public string ChunkGraphPath => Path.Combine(Directory, Config.Files.ChunkGraph);

    /// <summary>Gets the decoder graph's path (ONNX Runtime GenAI).</summary>
    public string DecoderGraphPath => Path.Combine(Directory, Config.Files.DecoderGraph);

    /// <summary>Gets a value indicating whether the package has a tokenizer.</summary>
    public bool HasTokenizer => Config.Files.Tokenizer is not null;

    /// <summary>Opens a package folder: reads and validates <c>edgeinfinite.json</c> and checks that the files it names exist.</summary>
    /// <param name="directory">The package folder.</param>
    /// <returns>The package.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file the package needs is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">The config is malformed or out of range.</exception>
    public static ModelPackage Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Model package folder '{full}' does not exist.");
        }

        var config = PackageConfig.Load(Path.Combine(full, PackageConfig.FileName));
        RequireFile(full, config.Files.ChunkGraph, "files.chunkGraph");
        RequireFile(full, config.Files.Weights, "files.weights");
        if (config.Files.Tokenizer is { } tokenizer)
        {
            RequireFile(full, tokenizer, "files.tokenizer");
            RequireFile(full, "tokenizer_config.json", "the tokenizer's chat template and settings");
            RequireFile(full, config.Files.GenAiConfig, "files.genAiConfig (the tokenizer needs it)");
        }

        return new ModelPackage(full, config);
    }

    private static void RequireFile(string directory, string name, string what)
    {
        string path = Path.Combine(directory, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model package '{directory}' is missing '{name}' ({what}).", path);
        }
    }
}
