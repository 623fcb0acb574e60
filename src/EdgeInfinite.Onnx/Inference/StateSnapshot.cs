using System.Security.Cryptography;
using System.Text;
using EdgeInfinite.Onnx.LongRoute;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Inference;

/// <summary>
/// The on-stream format of a saved <see cref="InferenceState"/>, version 1, little-endian:
/// magic <c>EISTATE1</c>, format version, the package revision it belongs to, route, flags, token counts, the valid
/// KV positions of every layer and head, the memory (<c>M</c>, <c>z</c>), then a SHA-256 of everything before it.
/// A snapshot is checked whole (size, checksum, package, dimensions) before anything is restored, so a corrupt or
/// mismatched one is rejected and never continues wrongly.
/// </summary>
public static class StateSnapshot
{
    /// <summary>The format version written.</summary>
    public const int FormatVersion = 1;

    private static readonly byte[] s_magic = "EISTATE1"u8.ToArray();

    /// <summary>Reads a snapshot's header without restoring it.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The header.</returns>
    /// <exception cref="InvalidDataException">The snapshot is truncated, corrupt or of another format version.</exception>
    public static StateSnapshotInfo ReadInfo(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = ReadVerified(stream);
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        return ReadHeader(reader, bytes.LongLength);
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
        var bytes = ReadVerified(stream);
        using var r = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var info = ReadHeader(r, bytes.LongLength);
        var config = model.Config;
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
        int longCapacity = config.LongRoute.SinkTokens + config.LongRoute.WindowTokens + config.LongRoute.SegmentTokens;
        if (info.CachedTokens > info.CacheCapacity || (longRoute && info.CacheCapacity != longCapacity) || info.CacheCapacity > config.MaxPositions)
        {
            throw new InvalidDataException($"The snapshot's cache ({info.CachedTokens} of {info.CacheCapacity} positions, route {info.Route}) is inconsistent with the package.");
        }

        bool hasMemory = r.ReadBoolean();
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
                    ReadFloats(r, cache.Keys[layer].GetTensorMutableDataAsSpan<float>().Slice(h * cache.Capacity * hd, cache.Length * hd));
                    ReadFloats(r, cache.Values[layer].GetTensorMutableDataAsSpan<float>().Slice(h * cache.Capacity * hd, cache.Length * hd));
                }
            }

            if (hasMemory)
            {
                memory = new CompressiveMemory(a, config.LongRoute);
                for (int layer = 0; layer < a.NumLayers; layer++)
                {
                    ReadFloats(r, memory.Matrices[layer].GetTensorMutableDataAsSpan<float>());
                    ReadFloats(r, memory.Norms[layer].GetTensorMutableDataAsSpan<float>());
                }

                memory.Restore(info.TokensInMemory);
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
                PackageRevision = r.ReadString(),
                PackageName = r.ReadString(),
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
            if (info.Route is not (Route.Short or Route.Long) || info.CachedTokens < 0 || info.TokenCount < info.CachedTokens || info.NumLayers <= 0)
            {
                throw new InvalidDataException("The snapshot's header is inconsistent.");
            }

            return info;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The snapshot is truncated.", ex);
        }
    }

    private static byte[] ReadVerified(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        if (bytes.Length < s_magic.Length + 32)
        {
            throw new InvalidDataException($"The snapshot is truncated ({bytes.Length} bytes).");
        }

        var body = bytes.AsSpan(0, bytes.Length - 32);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32)))
        {
            throw new InvalidDataException("The snapshot is corrupt: its SHA-256 checksum does not match its contents.");
        }

        return body.ToArray();
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values) =>
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));

    private static void ReadFloats(BinaryReader r, Span<float> destination)
    {
        var target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination);
        if (r.Read(target) != target.Length)
        {
            throw new InvalidDataException("The snapshot is truncated.");
        }
    }
}
