namespace EdgeInfinite.Onnx.Packaging;

/// <summary>A package folder on disk whose config has been read and whose files have been checked to exist.</summary>
public sealed class ModelPackage
{
    private ModelPackage(string directory, PackageConfig config, string chunkGraphPath, string decoderGraphPath, string weightsPath)
    {
        Directory = directory;
        WeightsPath = weightsPath;
        Config = config;
        ChunkGraphPath = chunkGraphPath;
        DecoderGraphPath = decoderGraphPath;
    }

    /// <summary>Gets the package folder.</summary>
    public string Directory { get; }

    /// <summary>Gets the config.</summary>
    public PackageConfig Config { get; }

    /// <summary>Gets the chunk graph's path (checked to lie inside the package folder).</summary>
    public string ChunkGraphPath { get; }

    /// <summary>Gets the shared weights file's path (checked to lie inside the package folder).</summary>
    public string WeightsPath { get; }

    /// <summary>Gets the decoder graph's path (ONNX Runtime GenAI; checked to lie inside the package folder).</summary>
    public string DecoderGraphPath { get; }

    /// <summary>Gets a value indicating whether the package has a tokenizer.</summary>
    public bool HasTokenizer => Config.Files.Tokenizer is not null;

    /// <summary>Opens a package folder: reads and validates <c>edgeinfinite.json</c> and checks that the files it names exist.</summary>
    /// <param name="directory">The package folder.</param>
    /// <returns>The package.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file the package needs is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">The config is malformed or out of range, or a file it names lies outside the folder.</exception>
    public static ModelPackage Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"Model package folder '{full}' does not exist.");
        }

        string configPath = Path.Combine(full, PackageConfig.FileName);
        var config = PackageConfig.Load(ContainedPath.Resolve(full, PackageConfig.FileName, configPath, PackageConfig.FileName));
        string chunkGraph = RequireFile(full, config.Files.ChunkGraph, "files.chunkGraph", configPath);
        string weights = RequireFile(full, config.Files.Weights, "files.weights", configPath);
        string decoderGraph = ContainedPath.Resolve(full, config.Files.DecoderGraph, configPath, "files.decoderGraph");
        ContainedPath.Resolve(full, config.Files.GenAiConfig, configPath, "files.genAiConfig");
        if (config.Files.Tokenizer is { } tokenizer)
        {
            RequireFile(full, tokenizer, "files.tokenizer", configPath);
            RequireFile(full, "tokenizer.json", "the tokenizer ONNX Runtime GenAI reads", configPath);
            RequireFile(full, "tokenizer_config.json", "the tokenizer's chat template and settings", configPath);
            RequireFile(full, config.Files.GenAiConfig, "files.genAiConfig (the tokenizer needs it)", configPath);
        }

        return new ModelPackage(full, config, chunkGraph, decoderGraph, weights);
    }

    /// <summary>Resolves a file the package names, refusing names that leave the folder, and checks that it exists.</summary>
    private static string RequireFile(string directory, string name, string what, string configPath)
    {
        string field = what.Split(' ')[0];
        string path = ContainedPath.Resolve(directory, name, configPath, field.StartsWith("files.", StringComparison.Ordinal) ? field : $"'{name}'");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Model package '{directory}' is missing '{name}' ({what}).", Path.Combine(directory, name));
        }

        return path;
    }
}
