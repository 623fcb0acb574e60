using System.Text.Json.Nodes;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>
/// A package converted from the llama fixture's weights with the fixture tokenizer's tokenizer.json and
/// tokenizer_config.json beside them (the vocab sizes differ, 384 vs 1024, which tokenizer-only tests do not mind).
/// The copied config.json has no <c>eos_token_id</c>, so the package's EOS ids can only come from
/// tokenizer_config.json's <c>eos_token</c>.
/// </summary>
public sealed class TokenizerPackage : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-tokenizer-tests-" + Guid.NewGuid().ToString("N"));
    private readonly Lazy<EdgeInfiniteTokenizer> _tokenizer;

    public TokenizerPackage()
    {
        string checkpoint = Path.Combine(_root, "checkpoint");
        System.IO.Directory.CreateDirectory(checkpoint);
        string llama = Path.Combine(HfFixture.Root, "hf", "llama");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(llama, "config.json")))!.AsObject();
        config.Remove("eos_token_id");
        File.WriteAllText(Path.Combine(checkpoint, "config.json"), config.ToJsonString());
        File.Copy(Path.Combine(llama, "model.safetensors"), Path.Combine(checkpoint, "model.safetensors"));
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(TokenizerReference.Directory, file), Path.Combine(checkpoint, file));
        }

        Directory = Path.Combine(_root, "package");
        new PackageBuilder().Convert(checkpoint, Directory);
        _tokenizer = new Lazy<EdgeInfiniteTokenizer>(() => new EdgeInfiniteTokenizer(Directory));
    }

    public string Directory { get; }

    public EdgeInfiniteTokenizer Tokenizer => _tokenizer.Value;

    /// <summary>Creates a scratch folder under this fixture's temporary root (deleted with it).</summary>
    /// <returns>The new folder.</returns>
    public string CreateScratchDirectory()
    {
        string path = Path.Combine(_root, "scratch-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(path);
        return path;
    }

    public void Dispose()
    {
        if (_tokenizer.IsValueCreated)
        {
            _tokenizer.Value.Dispose();
        }

        if (System.IO.Directory.Exists(_root))
        {
            System.IO.Directory.Delete(_root, recursive: true);
        }
    }
}
