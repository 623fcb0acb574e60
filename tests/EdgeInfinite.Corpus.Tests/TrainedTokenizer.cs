using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Tests;

/// <summary>
/// A tokenizer trained once per test class on ~1.5 MB of seed-1 corpus (vocab 2048) and written with
/// <see cref="TokenizerFiles.Write"/> into a temporary folder, plus ONNX Runtime GenAI's tokenizer on that folder.
/// </summary>
public sealed class TrainedTokenizer : IDisposable
{
    public const int VocabSize = 2048;

    private readonly Lazy<EdgeInfiniteTokenizer> _genai;

    public TrainedTokenizer()
    {
        Model = Train(seed: 1);
        Managed = new BpeTokenizer(Model);
        TokenizerFiles.Write(Directory, Model);
        _genai = new Lazy<EdgeInfiniteTokenizer>(() => new EdgeInfiniteTokenizer(Directory));
    }

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "edgeinfinite-corpus-tests-" + Guid.NewGuid().ToString("N"));

    public BpeModel Model { get; }

    public BpeTokenizer Managed { get; }

    public EdgeInfiniteTokenizer GenAi => _genai.Value;

    /// <summary>The training texts: corpus samples up to about <paramref name="chars"/> characters.</summary>
    public static IEnumerable<string> CorpusTexts(long seed, int chars)
    {
        var corpus = new SyntheticCorpus(new CorpusOptions { Seed = seed, MinDistanceTokens = 32, MaxDistanceTokens = 1024 });
        long total = 0;
        foreach (var sample in corpus.Samples(long.MaxValue / 2))
        {
            string text = SyntheticCorpus.ToTrainingText(sample);
            yield return text;
            total += text.Length;
            if (total >= chars)
            {
                yield break;
            }
        }
    }

    public static BpeModel Train(long seed, int chars = 1_500_000, int vocab = VocabSize) =>
        new BpeTrainer(new BpeTrainerOptions { VocabSize = vocab }).Train(CorpusTexts(seed, chars));

    public void Dispose()
    {
        if (_genai.IsValueCreated)
        {
            _genai.Value.Dispose();
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
