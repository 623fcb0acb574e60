namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>Writes and converts each family case once per test class, in a temporary folder deleted afterwards.</summary>
public sealed class ConvertedFamilies : IDisposable
{
    private readonly TempFolder _root = new();
    private readonly Dictionary<string, ConvertedFamily> _converted = [];
    private readonly Lock _gate = new();

    /// <summary>Gets a converted case, converting it on first use.</summary>
    /// <param name="name">The case name (see <see cref="FamilyCases.All"/>).</param>
    /// <returns>The converted case.</returns>
    public ConvertedFamily Get(string name)
    {
        lock (_gate)
        {
            if (!_converted.TryGetValue(name, out var converted))
            {
                converted = Convert(FamilyCases.All[name], name);
                _converted[name] = converted;
            }

            return converted;
        }
    }

    /// <summary>Writes and converts a case under a given key (for variants of a case).</summary>
    /// <param name="familyCase">The case.</param>
    /// <param name="key">A folder name unique within this fixture.</param>
    /// <returns>The converted case.</returns>
    public ConvertedFamily Convert(FamilyCase familyCase, string key)
    {
        ArgumentNullException.ThrowIfNull(familyCase);
        var model = TinyModel.Create(familyCase.Spec);
        string checkpoint = _root.Combine(key, "hf");
        string package = _root.Combine(key, "package");
        model.WriteCheckpoint(checkpoint);
        new PackageBuilder().Convert(checkpoint, package);
        return new ConvertedFamily(familyCase, model, checkpoint, package);
    }

    /// <inheritdoc/>
    public void Dispose() => _root.Dispose();
}
