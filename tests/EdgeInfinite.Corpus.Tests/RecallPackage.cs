using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.ModelBuilder.Tests.Support;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Corpus.Tests;

/// <summary>
/// A package with random weights and the trained tokenizer: a Llama checkpoint (vocab = the tokenizer's size,
/// hidden 64, 2 layers, 4 heads of 16, 2 KV heads) plus the written tokenizer files, converted with S=4, W=64, L=32
/// and 1024 max positions, so a 1500-token prompt overflows the short route and pushes hundreds of tokens into memory.
/// </summary>
public sealed class RecallPackage : IDisposable
{
    public const int MaxPositions = 1024;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-recall-tests-" + Guid.NewGuid().ToString("N"));

    public RecallPackage()
    {
        string tokenizerDir = Path.Combine(_root, "tokenizer");
        Model = TrainedTokenizer.Train(seed: 1, chars: 600_000);
        TokenizerFiles.Write(tokenizerDir, Model);
        string checkpoint = Path.Combine(_root, "hf");
        var spec = new TinyModelSpec { ModelType = "llama", VocabSize = Model.VocabSize, HiddenSize = 64, NumLayers = 2, NumHeads = 4, NumKvHeads = 2, HeadDim = 16, MaxPositionEmbeddings = MaxPositions, Seed = 21 };
        TinyModel.Create(spec).WriteCheckpoint(checkpoint);
        foreach (string file in new[] { TokenizerFiles.TokenizerJson, TokenizerFiles.TokenizerConfigJson })
        {
            File.Copy(Path.Combine(tokenizerDir, file), Path.Combine(checkpoint, file));
        }

        Directory = Path.Combine(_root, "package");
        new PackageBuilder().Convert(checkpoint, Directory, new ConversionOptions
        {
            LongRoute = new LongRouteSettings { SinkTokens = 4, WindowTokens = 64, SegmentTokens = 32, RouteThreshold = 512 },
        });
    }

    public BpeModel Model { get; }

    public string Directory { get; }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_root))
        {
            System.IO.Directory.Delete(_root, recursive: true);
        }
    }
}
