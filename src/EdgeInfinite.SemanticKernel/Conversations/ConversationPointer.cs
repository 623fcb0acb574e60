using System.Security.Cryptography;
using System.Text;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>
/// The small published entry that names a conversation's current version and the key of its full entry. Writing the
/// full entry under a fresh key first and publishing this pointer after (one small write) means a reader never sees a
/// partially written entry. Format: magic <c>EICPTR01</c>, version, entry key, SHA-256.
/// </summary>
/// <param name="Version">The version.</param>
/// <param name="EntryKey">The key of the full entry.</param>
internal sealed record ConversationPointer(long Version, string EntryKey)
{
    public const int MaxBytes = 4096;
    private static readonly byte[] s_magic = "EICPTR01"u8.ToArray();

    public byte[] ToBytes()
    {
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            w.Write(Version);
            w.Write(EntryKey);
        }

        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    /// <summary>Parses a stored pointer.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <param name="entryKeyPrefix">The prefix its entry key must have (the conversation's own namespace).</param>
    /// <returns>The pointer.</returns>
    /// <exception cref="InvalidDataException">The pointer is corrupt, too large or names a key outside the conversation's namespace.</exception>
    public static ConversationPointer Parse(byte[] bytes, string entryKeyPrefix)
    {
        if (bytes.Length > MaxBytes || bytes.Length < s_magic.Length + 8 + 1 + 32 || !bytes.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
        {
            throw new InvalidDataException($"Stored conversation pointer: not a pointer (magic) or {bytes.Length} bytes is out of bounds.");
        }

        int hashAt = bytes.Length - 32;
        if (!SHA256.HashData(bytes.AsSpan(0, hashAt)).AsSpan().SequenceEqual(bytes.AsSpan(hashAt)))
        {
            throw new InvalidDataException("Stored conversation pointer: checksum: the SHA-256 does not match the contents.");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, s_magic.Length, hashAt - s_magic.Length, writable: false), Encoding.UTF8);
            long version = r.ReadInt64();
            string key = r.ReadString();
            if (version < 1 || !key.StartsWith(entryKeyPrefix, StringComparison.Ordinal))
            {
                throw new InvalidDataException("Stored conversation pointer: version or entry key is out of bounds.");
            }

            return new ConversationPointer(version, key);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("Stored conversation pointer: truncated.", ex);
        }
        catch (FormatException ex)
        {
            // BinaryReader's "Too many bytes in what should have been a 7-bit encoded integer" names no field.
            throw new InvalidDataException("Stored conversation pointer: entry key: the string's length prefix is malformed.", ex);
        }
    }
}
