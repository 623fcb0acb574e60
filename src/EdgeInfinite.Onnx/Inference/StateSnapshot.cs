using System.Security.Cryptography;
using System.Text;
using EdgeInfinite.Onnx.LongRoute;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// The on-stream format of a saved <see cref="InferenceState"/>, version 1, little-endian:
/// magic <c>EISTATE1</c>, format version, the package revision it belongs to, route, flags, token counts, the valid
/// KV positions of every layer and head, the memory (<c>M</c>, <c>z</c>), then a SHA-256 of everything before it.
/// A snapshot is checked whole before anything is restored: its length against the largest state the package can hold
/// (before it is read), the checksum, the package, every count and their consistency, finiteness of every KV and
/// memory value, and that nothing follows the data. The SHA-256 is unkeyed: it detects corruption, not tampering (anyone
/// can recompute it), so the validation, not the hash, is what keeps a crafted snapshot from restoring.
/// </summary>
public static class StateSnapshot
{
    /// <summary>The format version written.</summary>
    public const int FormatVersion = 1;

    /// <summary>The largest token count a snapshot may claim (2^53): far beyond any stream, and safe in every position sum.</summary>
    public const long MaxTokenCount = 1L << 53;

    private const int MaxStringLength = 1024;

    /// <summary>Room for the header: magic, version, two strings of at most 1,024 characters (UTF-8, 4 bytes each at most) and the counters.</summary>
    private const int MaxHeaderBytes = 16 * 1024;

    private static readonly byte[] s_magic = "EISTATE1"u8.ToArray();

    /// <summary>Reads a snapshot's header without restoring it.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The header.</returns>
    /// <exception cref="InvalidDataException">The snapshot is truncated, corrupt or of another format version.</exception>
    public static StateSnapshotInfo ReadInfo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);

        // Without a package there is no size bound, so the stream is hashed as it goes and only its start is kept.
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var prefix = new MemoryStream();
        var buffer = new byte[1 << 16];
        var tail = new byte[32];
        int tailLength = 0;
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            // Hash everything except the last 32 bytes seen so far (they may be the checksum).
            var chunk = new byte[tailLength + read];
            tail.AsSpan(0, tailLength).CopyTo(chunk);
            buffer.AsSpan(0, read).CopyTo(chunk.AsSpan(tailLength));
            int body = Math.Max(0, chunk.Length - 32);
            hash.AppendData(chunk, 0, body);
            if (prefix.Length < MaxHeaderBytes)
            {
                prefix.Write(chunk, 0, (int)Math.Min(body, MaxHeaderBytes - prefix.Length));
            }

            tailLength = chunk.Length - body;
            chunk.AsSpan(body).CopyTo(tail);
            total += read;
        }

        if (total < s_magic.Length + 32)
        {
            throw new InvalidDataException($"The snapshot is truncated ({total} bytes).");
        }

        if (!hash.GetHashAndReset().AsSpan().SequenceEqual(tail.AsSpan(0, 32)))
        {
            throw new InvalidDataException("The snapshot is corrupt: its SHA-256 checksum does not match its contents.");
        }

        prefix.Position = 0;
        using var reader = new BinaryReader(prefix, Encoding.UTF8);
        return ReadHeader(reader, total - 32);
    }

    /// <summary>The most bytes a snapshot of this package can have: the short route's largest cache plus the memory.</summary>
    /// <param name="config">The package config.</param>
    /// <returns>The size bound.</returns>
    public static long MaxBytes(PackageConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var a = config.Architecture;
        var l = config.LongRoute;
        long positions = Math.Max(config.MaxPositions, (long)l.SinkTokens + l.WindowTokens + l.SegmentTokens);
        long kv = checked(2L * a.NumLayers * a.NumKvHeads * positions * a.HeadDim * sizeof(float));
        long memory = checked((long)a.NumLayers * a.NumKvHeads * ((long)a.HeadDim * a.HeadDim + a.HeadDim) * sizeof(float));
        return checked(MaxHeaderBytes + kv + memory + 32);
    }

    internal static void Write(InferenceState state, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var a = state.Config.Architecture;
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(s_magic);
            w.Write(FormatVersion);
            w.Write(state.Config.Revision);
            w.Write(state.Config.Name);
            w.Write((byte)state.Route);
            w.Write(state.MemoryEnabled);
            w.Write(state.AutoRouted);
            w.Write(state.TokenCount);
            w.Write(state.TokensInMemory);
            w.Write(a.NumLayers);
            w.Write(a.NumKvHeads);
            w.Write(a.HeadDim);
            w.Write(state.Cache.Capacity);
            w.Write(state.Cache.Length);
            w.Write(state.Memory is not null);
            int hd = a.HeadDim;
            for (int layer = 0; layer < a.NumLayers; layer++)
            {
                for (int h = 0; h < a.NumKvHeads; h++)
                {
                    WriteFloats(w, state.Cache.Keys[layer].GetTensorDataAsSpan<float>().Slice(h * state.Cache.Capacity * hd, state.Cache.Length * hd));
                    WriteFloats(w, state.Cache.Values[layer].GetTensorDataAsSpan<float>().Slice(h * state.Cache.Capacity * hd, state.Cache.Length * hd));
                }
            }

            if (state.Memory is { } memory)
            {
                for (int layer = 0; layer < a.NumLayers; layer++)
                {
                    WriteFloats(w, memory.Matrices[layer].GetTensorDataAsSpan<float>());
                    WriteFloats(w, memory.Norms[layer].GetTensorDataAsSpan<float>());
                }
            }
        }

        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        buffer.Position = 0;
        buffer.CopyTo(stream);
    }

    internal static InferenceState Restore(EdgeInfiniteModel model, Stream stream, Func<Route, bool, bool, InferenceState> create)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var config = model.Config;
        var bytes = ReadVerified(stream, MaxBytes(config));
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var info = ReadHeader(r, bytes.LongLength);
        var a = config.Architecture;
        if (info.PackageRevision != config.Revision)
        {
            throw new InvalidDataException($"The snapshot belongs to package revision {info.PackageRevision} ('{info.PackageName}'), not to this package's revision {config.Revision} ('{config.Name}'); its state cannot continue here.");
        }

        if (info.NumLayers != a.NumLayers || info.NumKvHeads != a.NumKvHeads || info.HeadDim != a.HeadDim)
        {
            throw new InvalidDataException($"The snapshot's dimensions (layers {info.NumLayers}, kv heads {info.NumKvHeads}, head dim {info.HeadDim}) do not match the package.");
        }

        bool longRoute = info.Route == Route.Long;
        bool hasMemory = ReadField(r, "hasMemory", r.ReadBoolean);
        CheckCounts(info, config, hasMemory);
        var state = create(longRoute ? Route.Long : Route.Short, info.MemoryEnabled, info.AutoRouted);
        var cache = new KvCache(a, info.CacheCapacity) { Length = info.CachedTokens };
        CompressiveMemory? memory = null;
        try
        {
            int hd = a.HeadDim;
            for (int layer = 0; layer < a.NumLayers; layer++)
            {
                for (int h = 0; h < a.NumKvHeads; h++)
                {
                    ReadFloats(r, cache.Keys[layer].GetTensorMutableDataAsSpan<float>().Slice(h * cache.Capacity * hd, cache.Length * hd), $"key cache of layer {layer}, head {h}", finiteOnly: true);
                    ReadFloats(r, cache.Values[layer].GetTensorMutableDataAsSpan<float>().Slice(h * cache.Capacity * hd, cache.Length * hd), $"value cache of layer {layer}, head {h}", finiteOnly: true);
                }
            }

            if (hasMemory)
            {
                // z = Σ σ(k) is never negative for the positive feature maps.
                bool positive = config.LongRoute.FeatureMap != MemoryFeatureMap.L2Normalized;
                memory = new CompressiveMemory(a, config.LongRoute);
                for (int layer = 0; layer < a.NumLayers; layer++)
                {
                    ReadFloats(r, memory.Matrices[layer].GetTensorMutableDataAsSpan<float>(), $"memory M of layer {layer}", finiteOnly: true);
                    ReadFloats(r, memory.Norms[layer].GetTensorMutableDataAsSpan<float>(), $"memory z of layer {layer}", finiteOnly: true, nonNegative: positive);
                }

                memory.Restore(info.TokensInMemory);
            }

            if (r.BaseStream.Position != r.BaseStream.Length)
            {
                throw new InvalidDataException($"The snapshot has {r.BaseStream.Length - r.BaseStream.Position} unexpected bytes after its data.");
            }

            state.Restore(info.TokenCount, longRoute, cache, memory);
            return state;
        }
        catch
        {
            cache.Dispose();
            memory?.Dispose();
            state.Dispose();
            throw;
        }
    }

    /// <summary>Checks that the counters describe a state this package can be in.</summary>
    private static void CheckCounts(StateSnapshotInfo info, PackageConfig config, bool hasMemory)
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new InvalidDataException($"The snapshot is inconsistent with the package: {what} (route {info.Route}, {info.TokenCount} tokens, {info.CachedTokens} of {info.CacheCapacity} cached, {info.TokensInMemory} in memory).");
            }
        }

        var l = config.LongRoute;
        long longCapacity = (long)l.SinkTokens + l.WindowTokens + l.SegmentTokens;
        Require(info.TokenCount is >= 0 and <= MaxTokenCount, $"the token count must be in 0..{MaxTokenCount}");
        Require(info.TokensInMemory >= 0 && info.CachedTokens >= 0, "counts must not be negative");
        Require(info.CachedTokens <= info.CacheCapacity && info.CachedTokens <= info.TokenCount, "more tokens cached than the cache holds or than were seen");
        if (info.Route == Route.Long)
        {
            Require(info.CacheCapacity == longCapacity, $"a long-route cache holds sink + window + segment = {longCapacity} positions");
            Require(hasMemory == info.MemoryEnabled, "the memory flag disagrees with the memory section");
            Require(info.TokensInMemory % l.SegmentTokens == 0, "memory receives whole segments");
            Require(info.MemoryEnabled ? info.TokenCount == info.CachedTokens + info.TokensInMemory : info.TokensInMemory == 0,
                "every token seen is either cached or in memory");
        }
        else
        {
            Require(info.CacheCapacity > 0 && info.CacheCapacity <= config.MaxPositions, $"a short-route cache holds 1..{config.MaxPositions} positions");
            Require(!hasMemory && info.TokensInMemory == 0 && info.TokenCount == info.CachedTokens, "a short-route state keeps every token in its cache and has no memory");
        }
    }

    private static StateSnapshotInfo ReadHeader(BinaryReader r, long totalBytes)
    {
        try
        {
            if (!r.ReadBytes(s_magic.Length).AsSpan().SequenceEqual(s_magic))
            {
                throw new InvalidDataException("The stream is not an EdgeInfinite state snapshot (bad magic).");
            }

            int version = r.ReadInt32();
            if (version != FormatVersion)
            {
                throw new InvalidDataException($"The snapshot has format version {version}; this library reads version {FormatVersion}.");
            }

            var info = new StateSnapshotInfo
            {
                PackageRevision = ReadField(r, "package revision", r.ReadString),
                PackageName = ReadField(r, "package name", r.ReadString),
                Route = (Route)r.ReadByte(),
                MemoryEnabled = r.ReadBoolean(),
                AutoRouted = r.ReadBoolean(),
                TokenCount = r.ReadInt64(),
                TokensInMemory = r.ReadInt64(),
                NumLayers = r.ReadInt32(),
                NumKvHeads = r.ReadInt32(),
                HeadDim = r.ReadInt32(),
                CacheCapacity = r.ReadInt32(),
                CachedTokens = r.ReadInt32(),
                Bytes = totalBytes,
            };
            if (info.PackageRevision.Length > MaxStringLength || info.PackageName.Length > MaxStringLength)
            {
                throw new InvalidDataException($"The snapshot's package revision or name is longer than {MaxStringLength} characters.");
            }

            if (info.Route is not (Route.Short or Route.Long))
            {
                throw new InvalidDataException($"The snapshot's route byte {(byte)info.Route} is neither short nor long.");
            }

            if (info.CachedTokens < 0 || info.TokenCount < info.CachedTokens || info.TokensInMemory < 0 || info.NumLayers <= 0 || info.NumKvHeads <= 0 || info.HeadDim <= 0 || info.CacheCapacity <= 0)
            {
                throw new InvalidDataException($"The snapshot's header is inconsistent: {info.TokenCount} tokens, {info.CachedTokens} cached of {info.CacheCapacity}, {info.TokensInMemory} in memory, {info.NumLayers} layers, {info.NumKvHeads} kv heads, head dim {info.HeadDim}.");
            }

            return info;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The snapshot is truncated.", ex);
        }
    }

    private static T ReadField<T>(BinaryReader r, string field, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (FormatException ex)
        {
            // BinaryReader's "Too many bytes in what should have been a 7-bit encoded integer" says nothing of where.
            throw new InvalidDataException($"The snapshot's {field} is malformed (its length prefix is invalid).", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"The snapshot is truncated in its {field}.", ex);
        }
    }

    private static byte[] ReadVerified(Stream stream, long maxBytes)
    {
        if (stream.CanSeek && stream.Length - stream.Position > maxBytes)
        {
            // Refused from its length alone: nothing is read.
            throw new InvalidDataException($"The snapshot has {stream.Length - stream.Position:N0} bytes, more than the {maxBytes:N0} the largest state of this package takes.");
        }

        using var copy = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (copy.Length + read > maxBytes)
            {
                throw new InvalidDataException($"The snapshot is longer than the {maxBytes:N0} bytes the largest state of this package takes.");
            }

            copy.Write(buffer, 0, read);
        }

        var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        if (bytes.Length < s_magic.Length + 32)
        {
            throw new InvalidDataException($"The snapshot is truncated ({bytes.Length} bytes).");
        }

        var body = bytes[..^32];
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes[^32..]))
        {
            throw new InvalidDataException("The snapshot is corrupt: its SHA-256 checksum does not match its contents.");
        }

        return body.ToArray();
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values) =>
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void ReadFloats(BinaryReader r, Span<float> destination, string what, bool finiteOnly, bool nonNegative = false)
    {
        var target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination);
        if (r.Read(target) != target.Length)
        {
            throw new InvalidDataException($"The snapshot is truncated in the {what}.");
        }

        for (int i = 0; i < destination.Length; i++)
        {
            float v = destination[i];
            if ((finiteOnly && !float.IsFinite(v)) || (nonNegative && v < 0))
            {
                throw new InvalidDataException($"The snapshot's {what} holds {v} at element {i}; a state holds only finite values{(nonNegative ? " and a non-negative normaliser" : string.Empty)}.");
            }
        }
    }
}
