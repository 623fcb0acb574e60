using EdgeInfinite.Onnx.Constraints;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Onnx.Tokenization;
using Microsoft.ML.OnnxRuntime;

namespace EdgeInfinite.Onnx;

/// <summary>
/// A loaded EdgeInfinite model package: one ONNX Runtime session for the chunk graph, shared by every
/// <see cref="InferenceState"/> created from it. Thread-safe.
/// </summary>
public sealed class EdgeInfiniteModel : IDisposable
{
    private readonly ChunkRunner _runner;
    private readonly Lazy<EdgeInfiniteTokenizer> _tokenizer;
    private readonly Lazy<TokenVocabulary> _vocabulary;
    private readonly EdgeInfiniteModelOptions _options;

    private EdgeInfiniteModel(ModelPackage package, ChunkRunner runner, EdgeInfiniteModelOptions options)
    {
        Package = package;
        _runner = runner;
        _options = options;
        _tokenizer = new Lazy<EdgeInfiniteTokenizer>(CreateTokenizer, LazyThreadSafetyMode.ExecutionAndPublication);
        _vocabulary = new Lazy<TokenVocabulary>(CreateVocabulary, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the package.</summary>
    public ModelPackage Package { get; }

    /// <summary>Gets the package config.</summary>
    public PackageConfig Config => Package.Config;

    /// <summary>Gets the route threshold in effect (the options' override or the package's).</summary>
    public int RouteThreshold => _options.RouteThreshold ?? Config.LongRoute.RouteThreshold;

    /// <summary>Gets the tokenizer.</summary>
    /// <exception cref="InvalidOperationException">The package has no tokenizer (it was converted without one); use token-id prompts.</exception>
    public EdgeInfiniteTokenizer Tokenizer => _tokenizer.Value;

    /// <summary>Gets every token's output bytes (read from the package's tokenizer once, then cached), for constrained decoding.</summary>
    /// <exception cref="InvalidOperationException">The package has no tokenizer.</exception>
    /// <exception cref="NotSupportedException">The tokenizer's pieces are neither byte-level nor byte-fallback BPE.</exception>
    public TokenVocabulary Vocabulary => _vocabulary.Value;

    /// <summary>Loads a package.</summary>
    /// <param name="packageDirectory">The package folder.</param>
    /// <param name="options">The options.</param>
    /// <returns>The model.</returns>
    public static EdgeInfiniteModel Load(string packageDirectory, EdgeInfiniteModelOptions? options = null)
    {
        options = options?.Clone() ?? new EdgeInfiniteModelOptions();
        if (options.IntraOpThreads is { } requested && (requested < 0 || requested > EdgeInfiniteModelOptions.MaxIntraOpThreads))
        {
            throw new ArgumentOutOfRangeException(nameof(options), requested, $"IntraOpThreads (--threads) must be in 0..{EdgeInfiniteModelOptions.MaxIntraOpThreads} (0 = automatic; at most four per logical processor).");
        }

        var package = ModelPackage.Open(packageDirectory);
        if (options.RouteThreshold is { } t && (t <= 0 || t > package.Config.MaxPositions))
        {
            throw new ArgumentOutOfRangeException(nameof(options), t, $"RouteThreshold must be in 1..{package.Config.MaxPositions} (the package's maxPositions).");
        }

        using var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (options.IntraOpThreads is { } threads)
        {
            sessionOptions.IntraOpNumThreads = threads;
        }

        // Without pre-packing ONNX Runtime uses the memory-mapped weights file as it is: measured on a 0.5B-shaped
        // model, peak RSS 873 MB instead of 1,392 MB, load 0.7 s instead of 3.4 s, and no slower (docs/benchmarks).
        if (!options.SessionConfig.ContainsKey("session.disable_prepacking"))
        {
            sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        }

        foreach (var (key, value) in options.SessionConfig)
        {
            sessionOptions.AddSessionConfigEntry(key, value);
        }

        return new EdgeInfiniteModel(package, new ChunkRunner(package, sessionOptions), options);
    }

    /// <summary>Resolves <see cref="Route.Auto"/> for a request of a given size.</summary>
    /// <param name="route">The requested route.</param>
    /// <param name="requestTokens">The prompt tokens plus the output budget.</param>
    /// <returns><see cref="Route.Short"/> or <see cref="Route.Long"/>.</returns>
    public Route ResolveRoute(Route route, int requestTokens) =>
        route != Route.Auto ? route : requestTokens <= RouteThreshold ? Route.Short : Route.Long;

    /// <summary>
    /// Creates the state for a request by the routing rule: <see cref="Route.Auto"/> decides on the prompt's tokens
    /// only. A prompt that fits under the threshold starts on the short route (the unmodified model), in a state that
    /// converts itself to the long route in place if the prompt plus the generated tokens cross the threshold; a longer
    /// prompt starts on the long route. An explicit route is taken as given.
    /// </summary>
    /// <param name="route">The requested route.</param>
    /// <param name="promptTokens">The prompt's tokens.</param>
    /// <param name="maxNewTokens">The output budget (sizes the short route's cache).</param>
    /// <param name="memoryEnabled">Long route only: <see langword="false"/> drops tokens leaving the window.</param>
    /// <returns>The state.</returns>
    public InferenceState CreateStateForPrompt(Route route, int promptTokens, int maxNewTokens, bool memoryEnabled = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(maxNewTokens);
        int total = (int)Math.Min(int.MaxValue, (long)promptTokens + maxNewTokens);
        if (route != Route.Auto)
        {
            return CreateState(route, total, memoryEnabled);
        }

        // An automatic short state never needs more than the threshold: past it, it converts itself.
        return promptTokens <= RouteThreshold
            ? CreateState(Route.Auto, Math.Min(total, RouteThreshold), memoryEnabled)
            : CreateState(Route.Long, total, memoryEnabled);
    }

    /// <summary>Creates an empty sequence state.</summary>
    /// <param name="route">The route (resolve <see cref="Route.Auto"/> with <see cref="ResolveRoute"/> first).</param>
    /// <param name="expectedTokens">The tokens expected (prompt plus output), to size the short route's cache.</param>
    /// <param name="memoryEnabled">Long route only: <see langword="false"/> drops tokens leaving the window (sink + window only, for comparison).</param>
    /// <returns>The state.</returns>
    public InferenceState CreateState(Route route, int expectedTokens, bool memoryEnabled = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedTokens);
        bool auto = route == Route.Auto;
        route = ResolveRoute(route, expectedTokens);
        if (route == Route.Long)
        {
            return new InferenceState(_runner, Config, Route.Long, 0, memoryEnabled, autoRouted: false, RouteThreshold);
        }

        if (expectedTokens > Config.MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedTokens), expectedTokens, $"The short route holds at most {Config.MaxPositions} tokens (the package's maxPositions).");
        }

        int capacity = Math.Clamp(expectedTokens, Math.Min(Config.LongRoute.SegmentTokens, Config.MaxPositions), Config.MaxPositions);
        return new InferenceState(_runner, Config, Route.Short, capacity, memoryEnabled, auto, RouteThreshold);
    }

    /// <summary>Restores a state saved with <see cref="InferenceState.Save"/> against this package.</summary>
    /// <param name="stream">The snapshot.</param>
    /// <returns>The restored state.</returns>
    /// <exception cref="InvalidDataException">The snapshot is corrupt, truncated, of another format version or of another package revision.</exception>
    public InferenceState LoadState(Stream stream) =>
        StateSnapshot.Restore(this, stream, (route, memory, auto) => new InferenceState(_runner, Config, route, Math.Min(Config.LongRoute.SegmentTokens, Config.MaxPositions), memory, auto, RouteThreshold));

    /// <inheritdoc/>
    public void Dispose()
    {
        _runner.Dispose();
        if (_tokenizer.IsValueCreated)
        {
            _tokenizer.Value.Dispose();
        }
    }

    private TokenVocabulary CreateVocabulary() =>
        Config.Files.Tokenizer is { } file
            ? TokenVocabulary.FromTokenizerJson(Path.Combine(Package.Directory, file))
            : throw new InvalidOperationException($"Model package '{Package.Directory}' has no tokenizer (tokenizer.json): constrained decoding needs the tokens' bytes.");

    private EdgeInfiniteTokenizer CreateTokenizer() =>
        Package.HasTokenizer
            ? new EdgeInfiniteTokenizer(Package.Directory)
            : throw new InvalidOperationException($"Model package '{Package.Directory}' has no tokenizer (it was converted from a checkpoint without tokenizer.json): text prompts cannot be encoded; pass token ids instead.");
}
