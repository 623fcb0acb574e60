using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite train-tokenizer -o &lt;dir&gt; --vocab 2048 --seed S [--corpus-chars N]</c>: trains a byte-level BPE
/// tokenizer on the synthetic corpus and writes tokenizer.json, tokenizer_config.json (ChatML) and genai_config.json.
/// </summary>
internal static class TrainTokenizerCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Folder to write the tokenizer files into (created).", Required = true };
        var vocab = new Option<int>("--vocab") { Description = "Largest vocabulary size (added tokens + 256 bytes + merges); training stops earlier when no pair repeats.", DefaultValueFactory = _ => 2048 };
        var seed = new Option<long>("--seed") { Description = "Corpus seed.", DefaultValueFactory = _ => 1 };
        var chars = new Option<long>("--corpus-chars") { Description = "Characters of generated corpus to train on.", DefaultValueFactory = _ => 1_500_000 };
        var minFrequency = new Option<int>("--min-frequency") { Description = "Fewest occurrences a pair needs to be merged.", DefaultValueFactory = _ => 2 };
        var command = new Command("train-tokenizer", "Train a byte-level BPE tokenizer on the synthetic corpus and write Hugging Face tokenizer files.")
        {
            output, vocab, seed, chars, minFrequency,
        };
        command.SetAction((parse, ct) =>
        {
            long corpusChars = parse.GetValue(chars);
            if (corpusChars <= 0)
            {
                throw new CliUsageException($"--corpus-chars must be positive, got {corpusChars}");
            }

            var options = new BpeTrainerOptions { VocabSize = parse.GetValue(vocab), MinFrequency = parse.GetValue(minFrequency) };
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliUsageException(ex.Message.ReplaceLineEndings(" "));
            }

            string dir = parse.GetValue(output)!.FullName;
            var clock = Stopwatch.StartNew();
            var corpus = new SyntheticCorpus(new CorpusOptions { Seed = parse.GetValue(seed), MinDistanceTokens = 32, MaxDistanceTokens = 1024 });
            var texts = new List<string>();
            long total = 0;
            BpeModel model;
            using (var bar = new ConsoleProgressBar(stderr))
            {
                foreach (var sample in corpus.Samples(long.MaxValue / 2))
                {
                    ct.ThrowIfCancellationRequested();
                    string text = SyntheticCorpus.ToTrainingText(sample);
                    texts.Add(text);
                    total += text.Length;
                    bar.Report("generating corpus", 0.3 * Math.Min(1.0, (double)total / corpusChars));
                    if (total >= corpusChars)
                    {
                        break;
                    }
                }

                model = new BpeTrainer(options).Train(texts, new SyncProgress<double>(f => bar.Report("learning merges", 0.3 + (0.7 * f))), ct);
                bar.Report("done", 1);
            }

            TokenizerFiles.Write(dir, model);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"vocab {model.VocabSize} (asked {options.VocabSize}), {model.Merges.Count} merges, trained on {total:N0} characters ({texts.Count:N0} samples) in {clock.Elapsed.TotalSeconds:0.0} s; wrote {dir}"));
            return Task.FromResult(0);
        });
        return command;
    }
}
