using EdgeInfinite.Onnx;
using Microsoft.Extensions.Caching.Distributed;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Options of an <see cref="EdgeInfiniteChatClient"/>: which model package to load, how many threads ONNX Runtime
/// may use, and how many conversation states are kept for reuse.
/// </summary>
public sealed class EdgeInfiniteChatOptions
{
    /// <summary>The relative folder of the embedded default model package.</summary>
    public const string DefaultPackageFolder = "models/edgeinfinite-tiny";

    /// <summary>
    /// Gets or sets the model package folder; <see langword="null"/> uses the embedded default model, looked up at
    /// <c>AppContext.BaseDirectory/models/edgeinfinite-tiny</c>, then <c>./models/edgeinfinite-tiny</c>.
    /// </summary>
    public string? PackagePath { get; set; }

    /// <summary>Gets or sets the ONNX Runtime intra-op thread count; <see langword="null"/> lets ONNX Runtime choose.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Gets or sets a route threshold (tokens) that overrides the package's; <see langword="null"/> keeps the package's.</summary>
    public int? RouteThreshold { get; set; }

    /// <summary>
    /// Gets or sets how many conversation states (KV cache and memory) are kept so a follow-up request prefills only
    /// its new tokens; 0 disables reuse. Each kept state holds its memory until evicted (least recently used first).
    /// </summary>
    public int ConversationCacheSize { get; set; } = 4;

    /// <summary>Gets or sets the model id reported in metadata and responses; <see langword="null"/> uses the package's name.</summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Gets or sets the distributed conversation store (Redis, Garnet, SQL Server, ...): after each response the
    /// conversation's transcript, fed token ids and state snapshot are stored there under its <c>ConversationId</c>,
    /// so any replica (or this one after a restart) continues the conversation, prefilling only the new turn. The
    /// in-process states stay the first level. <see langword="null"/> keeps conversations in this process only; the
    /// DI registrations then use the container's <see cref="IDistributedCache"/>, if one is registered and
    /// <see cref="UseRegisteredConversationStore"/> is on. See docs/scaling-out.md.
    /// </summary>
    public IDistributedCache? ConversationStore { get; set; }

    /// <summary>
    /// Gets or sets whether the DI registrations use the container's <see cref="IDistributedCache"/> as the
    /// <see cref="ConversationStore"/> when none is set (default on).
    /// </summary>
    public bool UseRegisteredConversationStore { get; set; } = true;

    /// <summary>Gets or sets the conversation store's expiration, key prefix and size limit.</summary>
    public ConversationStoreOptions ConversationStoreOptions { get; set; } = new();

    /// <summary>Creates a copy.</summary>
    /// <returns>The copy.</returns>
    public EdgeInfiniteChatOptions Clone()
    {
        var copy = (EdgeInfiniteChatOptions)MemberwiseClone();
        copy.ConversationStoreOptions = ConversationStoreOptions?.Clone()!;
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (PackagePath is not null && string.IsNullOrWhiteSpace(PackagePath))
        {
            throw new ArgumentException("PackagePath must be null (the embedded default model) or a folder path, not empty.", nameof(PackagePath));
        }

        if (IntraOpThreads is { } threads && (threads < 0 || threads > EdgeInfiniteModelOptions.MaxIntraOpThreads))
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, $"IntraOpThreads must be in 0..{EdgeInfiniteModelOptions.MaxIntraOpThreads} (0 = automatic; at most four per logical processor).");
        }

        if (RouteThreshold is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RouteThreshold), RouteThreshold, "RouteThreshold must be positive.");
        }

        if (ConversationCacheSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ConversationCacheSize), ConversationCacheSize, "ConversationCacheSize must be zero (no reuse) or positive.");
        }

        if (ConversationStoreOptions is null)
        {
            throw new ArgumentNullException(nameof(ConversationStoreOptions), "ConversationStoreOptions must not be null.");
        }

        ConversationStoreOptions.Validate();
    }
}
