namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Options of the distributed conversation store (<see cref="EdgeInfiniteChatOptions.ConversationStore"/>): how long
/// entries live, how keys are named and how large a stored entry may be.
/// </summary>
public sealed class ConversationStoreOptions
{
    /// <summary>The default sliding expiration: an hour of inactivity.</summary>
    public static readonly TimeSpan DefaultSlidingExpiration = TimeSpan.FromHours(1);

    /// <summary>The default largest entry: 256 MiB (a 24-layer 0.5B long-route state is about 35 MB).</summary>
    public const long DefaultMaxEntryBytes = 256L * 1024 * 1024;

    /// <summary>Gets or sets how long an entry lives without being read or written; <see langword="null"/> for no sliding expiration.</summary>
    public TimeSpan? SlidingExpiration { get; set; } = DefaultSlidingExpiration;

    /// <summary>Gets or sets how long an entry lives after it was written, however often it is read; <see langword="null"/> for no limit.</summary>
    public TimeSpan? AbsoluteExpiration { get; set; }

    /// <summary>Gets or sets the prefix of every key; the package revision and the conversation id follow it.</summary>
    public string KeyPrefix { get; set; } = "edgeinfinite";

    /// <summary>Gets or sets the largest entry written or read; a larger one is not stored (or is dropped on read).</summary>
    public long MaxEntryBytes { get; set; } = DefaultMaxEntryBytes;

    /// <summary>Gets or sets whether state snapshots are Brotli-compressed in the store (see docs/scaling-out.md for the measurement).</summary>
    public bool CompressSnapshots { get; set; }

    /// <summary>Creates a copy.</summary>
    /// <returns>The copy.</returns>
    public ConversationStoreOptions Clone() => (ConversationStoreOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        if (SlidingExpiration is { } sliding && sliding <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SlidingExpiration), sliding, "SlidingExpiration must be positive or null.");
        }

        if (AbsoluteExpiration is { } absolute && absolute <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(AbsoluteExpiration), absolute, "AbsoluteExpiration must be positive or null.");
        }

        if (string.IsNullOrWhiteSpace(KeyPrefix) || KeyPrefix.Length > 128)
        {
            throw new ArgumentException("KeyPrefix must be a non-empty string of at most 128 characters.", nameof(KeyPrefix));
        }

        if (MaxEntryBytes is < 4096 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntryBytes), MaxEntryBytes, $"MaxEntryBytes must be between 4096 and {int.MaxValue}.");
        }
    }
}
