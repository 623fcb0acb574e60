namespace EdgeInfinite.SemanticKernel;

/// <summary>Finds the model package folder: the configured path, or the embedded default model next to the app.</summary>
internal static class ModelPackageLocator
{
    /// <summary>Returns the package folder to load.</summary>
    /// <param name="packagePath">The configured path, or <see langword="null"/> for the embedded default model.</param>
    /// <returns>The full path of an existing folder.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist; the message names every place looked at.</exception>
    public static string Resolve(string? packagePath)
    {
        if (packagePath is not null)
        {
            string full = Path.GetFullPath(packagePath);
            return Directory.Exists(full)
                ? full
                : throw new DirectoryNotFoundException($"EdgeInfinite model package folder '{full}' (EdgeInfiniteChatOptions.PackagePath) does not exist.");
        }

        string[] candidates =
        [
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, EdgeInfiniteChatOptions.DefaultPackageFolder)),
            Path.GetFullPath(EdgeInfiniteChatOptions.DefaultPackageFolder),
        ];
        foreach (string candidate in candidates)
        {
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"The embedded default EdgeInfinite model was not found; looked in '{candidates[0]}' and '{candidates[1]}'. " +
            "Set EdgeInfiniteChatOptions.PackagePath to a converted model package (edgeinfinite convert <hf-checkpoint> -o <folder>).");
    }
}
