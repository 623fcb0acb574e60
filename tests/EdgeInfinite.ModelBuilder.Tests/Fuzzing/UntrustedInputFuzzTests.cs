using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder.Gguf;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Onnx.Tokenization;
using Google.Protobuf;
using Onnx;

namespace EdgeInfinite.ModelBuilder.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of every untrusted input kind (390 cases; each seed is one reproducible case): package config,
/// graph file names, HF config.json, safetensors headers, the shard index, tokenizer files, chat templates, state
/// snapshots, the chunk graph's external-data entries and the tokenizer a GGUF export reads. Every case ends in a
/// valid result or a documented exception whose message names where (<see cref="FuzzCase"/>).
/// </summary>
public sealed class UntrustedInputFuzzTests(FuzzFixture fixture) : IClassFixture<FuzzFixture>
{
    public static TheoryData<int> Cases80 => FuzzCase.Seeds(80);

    public static TheoryData<int> Cases50 => FuzzCase.Seeds(50);

    public static TheoryData<int> Cases40 => FuzzCase.Seeds(40);

    public static TheoryData<int> Cases30 => FuzzCase.Seeds(30);

    public static TheoryData<int> Cases20 => FuzzCase.Seeds(20);

    [Theory]
    [MemberData(nameof(Cases80))]
    public Task PackageConfig_Mutated_LoadsAndRunsOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("package config", seed, () =>
        {
            var random = new Random(1000 + seed);
            string dir = fixture.Copy(fixture.Package);
            string path = Path.Combine(dir, PackageConfig.FileName);
            if (random.Next(5) == 0)
            {
                File.WriteAllBytes(path, new JsonMutator(random, fixture.Canary).Damage(File.ReadAllBytes(path)));
            }
            else
            {
                var root = new JsonMutator(random, fixture.Canary).Mutate(JsonNode.Parse(File.ReadAllText(path)));
                File.WriteAllText(path, root?.ToJsonString() ?? "null");
            }

            LoadAndRun(dir);
        });

    [Theory]
    [MemberData(nameof(Cases30))]
    public Task GraphFileNames_Hostile_LoadOrThrowDocumented(int seed) =>
        FuzzCase.RunAsync("graph file names", seed, () =>
        {
            var random = new Random(2000 + seed);
            string dir = fixture.Copy(fixture.Package);
            string[] fields = ["chunkGraph", "weights", "decoderGraph", "genAiConfig", "tokenizer"];
            string[] names = ["../package/edgeinfinite.onnx", fixture.Canary, fixture.CanaryFifo, "link.onnx", "fifo.onnx", "sub/../edgeinfinite.onnx", "./edgeinfinite.onnx", "C:\\x.onnx", "edgeinfinite.onnx\0x", "..", "."];
            File.CreateSymbolicLink(Path.Combine(dir, "link.onnx"), fixture.Canary);
            File.CreateSymbolicLink(Path.Combine(dir, "fifo.onnx"), fixture.CanaryFifo);
            string path = Path.Combine(dir, PackageConfig.FileName);
            var root = JsonNode.Parse(File.ReadAllText(path))!;
            root["files"]![fields[random.Next(fields.Length)]] = names[random.Next(names.Length)];
            File.WriteAllText(path, root.ToJsonString());

            LoadAndRun(dir);
        });

    [Theory]
    [MemberData(nameof(Cases50))]
    public Task HfConfig_Mutated_ConvertsOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("config.json", seed, () =>
        {
            var random = new Random(3000 + seed);
            string dir = fixture.Copy(fixture.Checkpoint);
            string path = Path.Combine(dir, "config.json");
            var root = new JsonMutator(random, fixture.Canary).Mutate(JsonNode.Parse(File.ReadAllText(path)));
            File.WriteAllText(path, root?.ToJsonString() ?? "null");

            Convert(dir);
        });

    [Theory]
    [MemberData(nameof(Cases40))]
    public Task SafetensorsHeader_Mutated_ConvertsOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("safetensors header", seed, () =>
        {
            var random = new Random(4000 + seed);
            string dir = fixture.Copy(fixture.Checkpoint);
            string path = Path.Combine(dir, "model.safetensors");
            var bytes = File.ReadAllBytes(path);
            int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            var data = bytes[(8 + headerLength)..];
            byte[] header;
            switch (random.Next(3))
            {
                case 0:
                    var json = new JsonMutator(random, fixture.Canary).Mutate(JsonNode.Parse(bytes.AsSpan(8, headerLength)));
                    header = Encoding.UTF8.GetBytes(json?.ToJsonString() ?? "null");
                    break;
                case 1:
                    header = new JsonMutator(random, fixture.Canary).Damage(bytes[8..(8 + headerLength)]);
                    break;
                default:
                    header = bytes[8..(8 + headerLength)];
                    break;
            }

            var length = new byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, random.Next(4) == 0 ? (ulong)random.NextInt64() : (ulong)header.Length);
            File.WriteAllBytes(path, [.. length, .. header, .. data]);

            Convert(dir);
        });

    [Theory]
    [MemberData(nameof(Cases30))]
    public Task ShardIndex_Mutated_ConvertsOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("safetensors index", seed, () =>
        {
            var random = new Random(5000 + seed);
            string dir = fixture.Copy(fixture.ShardedCheckpoint);
            File.CreateSymbolicLink(Path.Combine(dir, "evil.safetensors"), random.Next(2) == 0 ? fixture.Canary : fixture.CanaryFifo);
            string path = Path.Combine(dir, "model.safetensors.index.json");
            var root = JsonNode.Parse(File.ReadAllText(path))!;
            if (random.Next(3) == 0)
            {
                var map = root["weight_map"]!.AsObject();
                map[map.ElementAt(random.Next(map.Count)).Key] = random.Next(3) switch { 0 => "evil.safetensors", 1 => "../" + Path.GetFileName(fixture.Canary), _ => fixture.Canary };
            }
            else
            {
                root = new JsonMutator(random, fixture.Canary).Mutate(root);
            }

            File.WriteAllText(path, root?.ToJsonString() ?? "null");
            Convert(dir);
        });

    [Theory]
    [MemberData(nameof(Cases30))]
    public Task TokenizerFiles_Mutated_ConvertOrThrowDocumented(int seed) =>
        FuzzCase.RunAsync("tokenizer files", seed, () =>
        {
            var random = new Random(6000 + seed);
            string dir = fixture.Copy(fixture.Checkpoint);
            string[] files = ["tokenizer.json", "tokenizer_config.json", "generation_config.json"];
            File.Copy(Path.Combine(fixture.TokenizerFolder, "tokenizer.json"), Path.Combine(dir, "tokenizer.json"));
            File.Copy(Path.Combine(fixture.TokenizerFolder, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
            File.WriteAllText(Path.Combine(dir, "generation_config.json"), "{\"eos_token_id\": [2]}");
            string target = Path.Combine(dir, files[random.Next(files.Length)]);
            switch (random.Next(4))
            {
                case 0:
                    File.Delete(target);
                    File.CreateSymbolicLink(target, random.Next(2) == 0 ? fixture.Canary : fixture.CanaryFifo);
                    break;
                case 1:
                    File.WriteAllBytes(target, new JsonMutator(random, fixture.Canary).Damage(File.ReadAllBytes(target)));
                    break;
                default:
                    var root = new JsonMutator(random, fixture.Canary).Mutate(JsonNode.Parse(File.ReadAllText(target)));
                    File.WriteAllText(target, root?.ToJsonString() ?? "null");
                    break;
            }

            Convert(dir);
        });

    [Theory]
    [MemberData(nameof(Cases40))]
    public Task ChatTemplate_Generated_PassesOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("chat template", seed, () =>
        {
            var random = new Random(7000 + seed);
            string[] pieces =
            [
                "{% for message in messages %}", "{% endfor %}", "{{ message['content'] }}", "{% if add_generation_prompt %}x{% endif %}",
                "{% for i in range(100000000) %}", "{% for i in range(3) %}", "{{ 'x' * 1000000000 }}", "{{ 2 ** 64 }}", "{% macro m(x) %}{{ m(x) }}{% endmacro %}",
                "{% set ns = namespace(a=1) %}", "{{ messages|length }}", "{#", "#}", "{{", "}}", "{%", "%}", "'", "\"", "1e400", "9_999_999_999",
            ];
            var template = new StringBuilder();
            for (int i = 0; i < 1 + random.Next(12); i++)
            {
                template.Append(pieces[random.Next(pieces.Length)]);
            }

            ChatTemplateGuard.Check(template.ToString(), "fuzz");
        });

    [Theory]
    [MemberData(nameof(Cases50))]
    public Task Snapshot_Mutated_RestoresOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("snapshot", seed, () =>
        {
            var random = new Random(8000 + seed);
            var mutator = new JsonMutator(random, fixture.Canary);
            var bytes = (byte[])fixture.Snapshot.Clone();
            switch (random.Next(3))
            {
                case 0:
                    bytes = mutator.Damage(bytes);
                    break;
                case 1:
                    bytes = Rehash(mutator.Damage(bytes[..^32]).Concat(new byte[32]).ToArray());
                    break;
                default:
                    // A header counter set to a hostile value, with a valid (unkeyed) checksum.
                    int at = 12 + 1 + bytes[12] + 1 + bytes[13 + bytes[12]] + random.Next(40);
                    BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Math.Min(at, bytes.Length - 36)), random.Next(6) switch { 0 => -1, 1 => int.MaxValue, 2 => 0, 3 => int.MinValue, 4 => 0x7FC00000, _ => random.Next() });
                    bytes = Rehash(bytes);
                    break;
            }

            // inspect-state's path first (no package: header and checksum only); other exception types reach FuzzCase.
            try
            {
                StateSnapshot.ReadInfo(new MemoryStream(bytes));
            }
            catch (InvalidDataException ex)
            {
                Assert.False(FuzzCase.IsContextFree(ex), $"snapshot case {seed}: ReadInfo: {ex}");
            }

            using var model = EdgeInfiniteModel.Load(fixture.Package);
            using var state = model.LoadState(new MemoryStream(bytes));
            var logits = state.Append([1]);
            Assert.Equal(model.Config.Architecture.VocabSize, logits.Length);
        });

    [Theory]
    [MemberData(nameof(Cases20))]
    public Task ExternalDataEntries_Hostile_QuantizesOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("external data", seed, () =>
        {
            var random = new Random(9000 + seed);
            string dir = fixture.Copy(fixture.Package);
            var files = PackageConfig.Load(Path.Combine(dir, PackageConfig.FileName)).Files;
            string graph = Path.Combine(dir, files.ChunkGraph);
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(graph));
            var external = model.Graph.Initializer.Where(t => t.ExternalData.Count > 0).ToList();
            var tensor = external[random.Next(external.Count)];
            string[] values = ["-1", "abc", "", "1e3", "99999999999999999999", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), "4611686018427387904", " 12", "0x10", new FileInfo(Path.Combine(dir, files.Weights)).Length.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            switch (random.Next(6))
            {
                case 0:
                    // A duplicate entry: a dictionary built from the list would throw without naming anything.
                    tensor.ExternalData.Add(new StringStringEntryProto { Key = random.Next(2) == 0 ? "offset" : "length", Value = "0" });
                    break;
                case 4:
                    // Two initializers with one name.
                    model.Graph.Initializer.Add(tensor.Clone());
                    break;
                case 1:
                    var removed = tensor.ExternalData.First(e => e.Key is "offset" or "length");
                    tensor.ExternalData.Remove(removed);
                    break;
                default:
                    var entry = tensor.ExternalData.First(e => e.Key == (random.Next(2) == 0 ? "offset" : "length"));
                    entry.Value = values[random.Next(values.Length)];
                    break;
            }

            // Or the protobuf itself damaged (the parser's messages name no file).
            File.WriteAllBytes(graph, random.Next(6) == 0 ? new JsonMutator(random, fixture.Canary).Damage(model.ToByteArray()) : model.ToByteArray());
            string parent = fixture.OutputParent();
            PackageQuantizer.Quantize(dir, Path.Combine(parent, "q"), WeightSettings.For(WeightPrecision.Int8, 32));
        });

    [Theory]
    [MemberData(nameof(Cases20))]
    public Task GgufTokenizer_Mutated_ExportsOrThrowsDocumented(int seed) =>
        FuzzCase.RunAsync("gguf tokenizer", seed, () =>
        {
            var random = new Random(10000 + seed);
            string dir = fixture.Copy(fixture.Checkpoint);
            string target = Path.Combine(dir, "tokenizer.json");
            File.Copy(Path.Combine(fixture.TokenizerFolder, "tokenizer.json"), target);
            var mutator = new JsonMutator(random, fixture.Canary);
            switch (random.Next(4))
            {
                case 0:
                    File.WriteAllBytes(target, mutator.Damage(File.ReadAllBytes(target)));
                    break;
                case 1:
                    // A vocabulary id or an added token's id set to a hostile value (negative ids indexed the token table).
                    var doc = JsonNode.Parse(File.ReadAllText(target))!;
                    var vocab = doc["model"]!["vocab"]!.AsObject();
                    vocab[vocab.ElementAt(random.Next(vocab.Count)).Key] = mutator.HostileValue();
                    File.WriteAllText(target, doc.ToJsonString());
                    break;
                default:
                    var root = mutator.Mutate(JsonNode.Parse(File.ReadAllText(target)));
                    File.WriteAllText(target, root?.ToJsonString() ?? "null");
                    break;
            }

            GgufExporter.Export(dir, Path.Combine(fixture.OutputParent(), "model.gguf"));
        });

    private static void LoadAndRun(string dir)
    {
        using var model = EdgeInfiniteModel.Load(dir);
        using var state = model.CreateState(Route.Auto, 8);
        var logits = state.Append([1, 2, 3]);
        Assert.Equal(model.Config.Architecture.VocabSize, logits.Length);
    }

    private void Convert(string checkpoint)
    {
        string parent = fixture.OutputParent();
        try
        {
            new PackageBuilder().Convert(checkpoint, Path.Combine(parent, "package"));
        }
        catch
        {
            // A failed conversion leaves neither the package nor its staging folder.
            Assert.Empty(Directory.GetFileSystemEntries(parent));
            throw;
        }
    }

    private static byte[] Rehash(byte[] bytes)
    {
        SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32), bytes.AsSpan(bytes.Length - 32));
        return bytes;
    }
}
