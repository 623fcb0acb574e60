using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Conversations;

/// <summary>
/// The stored form of a <see cref="ConversationEntry"/>, version 1, little-endian: magic <c>EICONV01</c>, format
/// version, body length, the body (package revision, conversation id, version, flags, transcript as JSON, fed ids,
/// generated ids per response, raw tool calls, snapshot codec and length), a SHA-256 of all that, then the snapshot
/// (which carries its own SHA-256). A damaged body makes the entry unusable; a damaged snapshot leaves the transcript
/// usable, so the conversation is rebuilt by prefilling it. Every read is bounded by the entry's own length.
/// </summary>
internal static class ConversationEntrySerializer
{
    public const int FormatVersion = 1;
    private const byte CodecNone = 0;
    private const byte CodecBrotli = 1;
    private const int HashBytes = 32;
    private static readonly byte[] s_magic = "EICONV01"u8.ToArray();

    // The transcript holds tool results and arguments the app produced: a NaN or an infinity among them (0/0 in a
    // calculator tool) is stored as the string "NaN" / "Infinity" instead of failing to save the conversation.
    private static readonly JsonTypeInfo s_transcript = TranscriptTypeInfo();

    /// <summary>Writes an entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <param name="packageRevision">The package revision the state belongs to.</param>
    /// <param name="compress">Whether the snapshot is Brotli-compressed.</param>
    /// <returns>The bytes.</returns>
    public static byte[] Write(ConversationEntry entry, string packageRevision, bool compress)
    {
        byte[] snapshot = entry.Snapshot ?? [];
        byte[] stored = compress && snapshot.Length > 0 ? Compress(snapshot) : snapshot;
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(packageRevision);
            w.Write(entry.ConversationId);
            w.Write(entry.Version);
            w.Write(entry.MemoryEnabled);
            byte[] transcript = JsonSerializer.SerializeToUtf8Bytes(entry.Transcript, s_transcript);
            w.Write(transcript.Length);
            w.Write(transcript);
            WriteIds(w, entry.FedIds);
            w.Write(entry.Responses.Count);
            foreach (var (content, ids) in entry.Responses)
            {
                w.Write(content);
                WriteIds(w, ids);
            }

            w.Write(entry.RawToolCalls.Count);
            foreach (var (callId, raw) in entry.RawToolCalls)
            {
                w.Write(callId);
                w.Write(raw);
            }

            w.Write(compress && snapshot.Length > 0 ? CodecBrotli : CodecNone);
            w.Write(snapshot.Length);
        }

        using var output = new MemoryStream();
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            w.Write(FormatVersion);
            w.Write(checked((int)body.Length));
            w.Write(body.GetBuffer().AsSpan(0, (int)body.Length));
        }

        output.Write(SHA256.HashData(output.GetBuffer().AsSpan(0, (int)output.Length)));
        using (var w = new BinaryWriter(output, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(stored.Length);
            w.Write(stored);
        }

        return output.ToArray();
    }

    /// <summary>Reads and checks an entry (everything but the snapshot's contents, which the engine checks when it loads it).</summary>
    /// <param name="bytes">The stored bytes.</param>
    /// <param name="packageRevision">The package revision expected.</param>
    /// <param name="conversationId">The conversation id expected.</param>
    /// <param name="vocabSize">The vocabulary size: every token id must be below it.</param>
    /// <param name="maxBytes">The largest entry accepted.</param>
    /// <param name="snapshotError">Why the snapshot part is unusable, or <see langword="null"/> when it is usable (or absent).</param>
    /// <returns>The entry; its snapshot is <see langword="null"/> when unusable.</returns>
    /// <exception cref="InvalidDataException">The entry is truncated, corrupt, foreign or out of bounds (the message names the field).</exception>
    public static ConversationEntry Read(byte[] bytes, string packageRevision, string conversationId, int vocabSize, long maxBytes, out string? snapshotError)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.LongLength > maxBytes)
        {
            throw new InvalidDataException($"Stored conversation entry: {bytes.LongLength} bytes is more than the limit of {maxBytes}.");
        }

        int headerBytes = s_magic.Length + 8;
        if (bytes.Length < headerBytes + HashBytes + 4 || !bytes.AsSpan(0, s_magic.Length).SequenceEqual(s_magic))
        {
            throw new InvalidDataException("Stored conversation entry: not an entry (magic) or truncated.");
        }

        int version = BitConverter.ToInt32(bytes, s_magic.Length);
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Stored conversation entry: format version {version}; this library reads version {FormatVersion}.");
        }

        int bodyLength = BitConverter.ToInt32(bytes, s_magic.Length + 4);
        if (bodyLength < 0 || (long)headerBytes + bodyLength + HashBytes + 4 > bytes.Length)
        {
            throw new InvalidDataException($"Stored conversation entry: body length {bodyLength} does not fit in {bytes.Length} bytes.");
        }

        int hashAt = headerBytes + bodyLength;
        if (!SHA256.HashData(bytes.AsSpan(0, hashAt)).AsSpan().SequenceEqual(bytes.AsSpan(hashAt, HashBytes)))
        {
            throw new InvalidDataException("Stored conversation entry: checksum: the SHA-256 does not match the contents.");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, headerBytes, bodyLength, writable: false), Encoding.UTF8);
            string revision = ReadString(r, "packageRevision");
            if (!string.Equals(revision, packageRevision, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Stored conversation entry: packageRevision '{revision}' is not this package's revision '{packageRevision}'.");
            }

            string id = ReadString(r, "conversationId");
            if (!string.Equals(id, conversationId, StringComparison.Ordinal))
            {
                throw new InvalidDataException("Stored conversation entry: conversationId does not match the requested conversation.");
            }

            long entryVersion = r.ReadInt64();
            if (entryVersion < 1)
            {
                throw new InvalidDataException($"Stored conversation entry: version {entryVersion} is not positive.");
            }

            bool memoryEnabled = r.ReadBoolean();
            int transcriptLength = ReadLength(r, bodyLength, "transcript");
            var transcript = JsonSerializer.Deserialize(r.ReadBytes(transcriptLength), s_transcript) as IList<ChatMessage>;
            if (transcript is null || transcript.Count == 0 || transcript.Any(m => m is null))
            {
                throw new InvalidDataException("Stored conversation entry: transcript is empty or holds a null message.");
            }

            int[] fed = ReadIds(r, bodyLength, vocabSize, "fedIds");
            if (fed.Length == 0)
            {
                throw new InvalidDataException("Stored conversation entry: fedIds is empty.");
            }

            var responses = new List<KeyValuePair<string, int[]>>();
            int responseCount = ReadLength(r, bodyLength, "responses");
            for (int i = 0; i < responseCount; i++)
            {
                responses.Add(new(ReadString(r, "responses"), ReadIds(r, bodyLength, vocabSize, "responses")));
            }

            var rawCalls = new List<KeyValuePair<string, string>>();
            int rawCount = ReadLength(r, bodyLength, "rawToolCalls");
            for (int i = 0; i < rawCount; i++)
            {
                rawCalls.Add(new(ReadString(r, "rawToolCalls"), ReadString(r, "rawToolCalls")));
            }

            byte codec = r.ReadByte();
            int snapshotLength = ReadLength(r, (int)Math.Min(maxBytes, int.MaxValue), "snapshotLength");
            if (codec is not (CodecNone or CodecBrotli))
            {
                throw new InvalidDataException($"Stored conversation entry: snapshot codec {codec} is unknown.");
            }

            if (r.BaseStream.Position != bodyLength)
            {
                throw new InvalidDataException("Stored conversation entry: the body has trailing bytes.");
            }

            byte[]? snapshot = ReadSnapshot(bytes, hashAt + HashBytes, codec, snapshotLength, out snapshotError);
            return new ConversationEntry(id, entryVersion, transcript, fed, memoryEnabled, responses, rawCalls, snapshot);
        }
        catch (Exception ex) when (ex is EndOfStreamException or JsonException or NotSupportedException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"Stored conversation entry: the body is malformed ({ex.Message}).", ex);
        }
    }

    private static byte[]? ReadSnapshot(byte[] bytes, int at, byte codec, int snapshotLength, out string? error)
    {
        error = null;
        int storedLength = BitConverter.ToInt32(bytes, at);
        if (storedLength < 0 || (long)at + 4 + storedLength != bytes.Length)
        {
            error = $"snapshot: stored length {storedLength} does not match the {bytes.Length - at - 4} bytes after the body";
            return null;
        }

        if (snapshotLength == 0)
        {
            return null;
        }

        var stored = bytes.AsSpan(at + 4, storedLength);
        if (codec == CodecNone)
        {
            if (storedLength != snapshotLength)
            {
                error = $"snapshot: {storedLength} bytes, the body says {snapshotLength}";
                return null;
            }

            return stored.ToArray();
        }

        // The decompressed size is known and bounded, so a crafted stream cannot make it grow.
        var snapshot = new byte[snapshotLength];
        if (!BrotliDecoder.TryDecompress(stored, snapshot, out int written) || written != snapshotLength)
        {
            error = $"snapshot: Brotli data does not decompress to the {snapshotLength} bytes the body says";
            return null;
        }

        return snapshot;
    }

    private static byte[] Compress(byte[] data)
    {
        var buffer = new byte[BrotliEncoder.GetMaxCompressedLength(data.Length)];
        // Quality 1, window 22: fast; the KV floats compress only a little, the memory's zeros well (docs/scaling-out.md).
        if (!BrotliEncoder.TryCompress(data, buffer, out int written, quality: 1, window: 22))
        {
            throw new InvalidOperationException("Brotli compression of the snapshot failed.");
        }

        return buffer.AsSpan(0, written).ToArray();
    }

    private static void WriteIds(BinaryWriter w, int[] ids)
    {
        w.Write(ids.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan()));
    }

    private static int[] ReadIds(BinaryReader r, int bodyLength, int vocabSize, string field)
    {
        int count = ReadLength(r, bodyLength / 4, field);
        var ids = new int[count];
        var target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(ids.AsSpan());
        if (r.Read(target) != target.Length)
        {
            throw new InvalidDataException($"Stored conversation entry: {field} is truncated.");
        }

        foreach (int id in ids)
        {
            if ((uint)id >= (uint)vocabSize)
            {
                throw new InvalidDataException($"Stored conversation entry: {field} holds token id {id}, outside the vocabulary of {vocabSize}.");
            }
        }

        return ids;
    }

    /// <summary>Reads a length-prefixed string, naming the field when the prefix is malformed (BinaryReader's "Too many bytes in what should have been a 7-bit encoded integer" names none).</summary>
    private static string ReadString(BinaryReader r, string field)
    {
        try
        {
            return r.ReadString();
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"Stored conversation entry: {field}: the string's length prefix is malformed.", ex);
        }
    }

    private static JsonTypeInfo TranscriptTypeInfo()
    {
        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions)
        {
            NumberHandling = AIJsonUtilities.DefaultOptions.NumberHandling | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };
        options.MakeReadOnly();
        return options.GetTypeInfo(typeof(IList<ChatMessage>));
    }

    private static int ReadLength(BinaryReader r, int max, string field)
    {
        int n = r.ReadInt32();
        if (n < 0 || n > max)
        {
            throw new InvalidDataException($"Stored conversation entry: {field} length {n} is out of bounds (0..{max}).");
        }

        return n;
    }
}
