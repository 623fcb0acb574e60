namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    /// <summary>Initializes a new instance of the <see cref="TempFolder"/> class.</summary>
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edgeinfinite-mb-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>Gets the folder's path.</summary>
    public string Path { get; }

    /// <summary>Returns a path inside the folder.</summary>
    /// <param name="parts">The relative path parts.</param>
    /// <returns>The combined path.</returns>
    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Creates a sub-folder.</summary>
    /// <param name="name">The sub-folder's name.</param>
    /// <returns>Its path.</returns>
    public string CreateFolder(string name) => Directory.CreateDirectory(Combine(name)).FullName;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
