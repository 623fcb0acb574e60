using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.ModelBuilder.Tests.Support;

/// <summary>
/// Writes each family case's checkpoint once per test class and converts it once per weight setting, with small
/// long-route settings so that short streams cross window evictions and memory writes; deleted afterwards.
/// </summary>
public sealed class QuantizedFamilies : IDisposable
{
    /// <summary>The long-route settings of every package: S 4, W 32, L 16, threshold 64.</summary>
    public static readonly LongRouteSettings LongRoute = new() { SinkTokens = 4, WindowTokens = 32, SegmentTokens = 16, RouteThreshold = 64 };

    private readonly TempFolder _root = new();
    private readonly Dictionary<string, TinyModel> _models = [];
    private readonly HashSet<string> _packages = [];
    private readonly Lock _gate = new();

    /// <summary>Gets a case's model (its checkpoint written on first use).</summary>
    /// <param name="name">The case name (see <see cref="FamilyCases.All"/>).</param>
    /// <returns>The model with its known float32 weights.</returns>
    public TinyModel Model(string name)
    {
        lock (_gate)
        {
            if (!_models.TryGetValue(name, out var model))
            {
                model = TinyModel.Create(FamilyCases.All[name].Spec);
                model.WriteCheckpoint(_root.Combine(name, "hf"));
                _models[name] = model;
            }

            return model;
        }
    }

    /// <summary>Gets a case converted with given weight settings, converting on first use.</summary>
    /// <param name="name">The case name.</param>
    /// <param name="weights">The weight precision, block size and accuracy level.</param>
    /// <returns>The package folder.</returns>
    public string Package(string name, WeightSettings weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        Model(name);
        string key = $"{GraphWeightInfo.Name(weights.Precision)}-b{weights.BlockSize}-a{weights.AccuracyLevel}";
        lock (_gate)
        {
            string package = _root.Combine(name, key);
            if (_packages.Add(package))
            {
                new PackageBuilder().Convert(_root.Combine(name, "hf"), package, new ConversionOptions { Weights = weights, LongRoute = LongRoute });
            }

            return package;
        }
    }

    /// <summary>Returns a fresh path inside the fixture's folder (not created).</summary>
    /// <param name="prefix">The start of the folder's name.</param>
    /// <returns>The path.</returns>
    public string NewPath(string prefix) => _root.Combine(prefix + "-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc/>
    public void Dispose() => _root.Dispose();
}
