using System.CommandLine;
using System.Globalization;
using System.Text;
using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite make-corpus -o file.txt --seed S --samples N [--min-tokens A] [--max-tokens B]</c>: writes the
/// synthetic corpus as ChatML text, each sample followed by <c>&lt;|endoftext|&gt;</c> and a newline.
/// </summary>
internal static class MakeCorpusCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<FileInfo>("--output", "-o") { Description = "File to write (UTF-8).", Required = true };
        var seed = new Option<long>("--seed") { Description = "Corpus seed.", DefaultValueFactory = _ => 1 };
        var samples = new Option<long>("--samples") { Description = "Number of samples.", DefaultValueFactory = _ => 1000 };
        var minTokens = new Option<int>("--min-tokens") { Description = "Smallest fact-to-question distance in tokens.", DefaultValueFactory = _ => 32 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Largest fact-to-question distance in tokens (drawn log-uniformly).", DefaultValueFactory = _ => 512 };
        var style = new Option<CorpusStyle>("--corpus-style") { Description = "Wording: Template (the pinned default corpus) or Varied (many phrasings per fact, several filler generators).", DefaultValueFactory = _ => CorpusStyle.Template };
        var command = new Command("make-corpus", "Write the deterministic synthetic ChatML corpus (recall, needles, multi-fact, short exchanges, tool calls).")
        {
            output, seed, samples, minTokens, maxTokens, style,
        };
        command.SetAction((parse, ct) =>
        {
            long count = parse.GetValue(samples);
            if (count <= 0)
            {
                throw new CliUsageException($"--samples must be positive, got {count}");
            }

            var options = new CorpusOptions { Seed = parse.GetValue(seed), MinDistanceTokens = parse.GetValue(minTokens), MaxDistanceTokens = parse.GetValue(maxTokens), Style = parse.GetValue(style) };
            try
            {
                options.Validate();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw new CliUsageException($"--min-tokens / --max-tokens: {ex.Message.ReplaceLineEndings(" ")}");
            }

            string path = parse.GetValue(output)!.FullName;
            string temp = path + ".partial";
            var kinds = new Dictionary<TaskKind, long>();
            long chars = 0;
            try
            {
                using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
                using (var bar = new ConsoleProgressBar(stderr))
                {
                    long i = 0;
                    foreach (var sample in new SyntheticCorpus(options).Samples(count))
                    {
                        ct.ThrowIfCancellationRequested();
                        string text = SyntheticCorpus.ToTrainingText(sample);
                        writer.Write(text);
                        chars += text.Length;
                        kinds[sample.Kind] = kinds.GetValueOrDefault(sample.Kind) + 1;
                        bar.Report("writing samples", (double)++i / count);
                    }
                }

                File.Move(temp, path, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }

            string mix = string.Join(", ", Enum.GetValues<TaskKind>().Select(k => $"{k} {kinds.GetValueOrDefault(k)}"));
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {count:N0} samples ({chars:N0} characters) to {path}: {mix}"));
            return Task.FromResult(0);
        });
        return command;
    }
}
