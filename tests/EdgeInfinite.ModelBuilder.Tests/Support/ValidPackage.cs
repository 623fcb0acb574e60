namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>One tiny converted package per test class, for tests that copy and damage it.</summary>
public sealed class ValidPackage : IDisposable
{
    private readonly TempFolder _root = new();

    /// <summary>Initializes a new instance of the <see cref="ValidPackage"/> class.</summary>
    public ValidPackage()
    {
        Model = TinyModel.Create(FamilyCases.Mistral.Spec);
        Model.WriteCheckpoint(_root.Combine("hf"));
        Directory = _root.Combine("package");
        new PackageBuilder().Convert(_root.Combine("hf"), Directory);
    }

    /// <summary>Gets the model the package was converted from.</summary>
    public TinyModel Model { get; }

    /// <summary>Gets the package folder (do not modify; copy it with <see cref="CopyTo"/>).</summary>
    public string Directory { get; }

    /// <summary>Copies the package into a new folder.</summary>
    /// <param name="destination">The folder to create.</param>
    /// <returns>The copy's path.</returns>
    public string CopyTo(string destination) => PackageCopy.To(Directory, destination);

    /// <inheritdoc/>
    public void Dispose() => _root.Dispose();
}
