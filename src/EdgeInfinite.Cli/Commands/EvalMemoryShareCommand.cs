using System.CommandLine;
using System.Globalization;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Recall;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.ModelBuilder.Checkpoints;
using EdgeInfinite.Reference;

namespace EdgeInfinite.Cli.Commands;

/// <summary>
/// <c>edgeinfinite eval memory-share &lt;hf-dir&gt; [--length 500] [--depth 0.1] [--trials 24] [--seed 11] [--sink 4]
/// [--window 256] [--segment 64]</c>: on a Hugging Face checkpoint with full attention (float64 reference), the mean
/// share of a recall prompt's value token among the tokens a memory would hold, per layer and head, under softmax and
/// under each memory feature map. Tells, before any training, whether a feature map keeps what the model retrieves.
/// </summary>
internal static class EvalMemoryShareCommand
{
    public static Command Create(TextWriter stdout)
    {
        var hf = new Argument<DirectoryInfo>("hf-dir") { Description = "Hugging Face checkpoint folder with the project's tokenizer.json (a pretrain run's hf/ or hf-long/)." };
        var length = new Option<int>("--length") { Description = "Prompt length in tokens (keep it inside the model's trained positions).", DefaultValueFactory = _ => 500 };
        var depth = new Option<double>("--depth") { Description = "Fact depth, a fraction of the filler.", DefaultValueFactory = _ => 0.1 };
        var trials = new Option<int>("--trials") { Description = "Prompts (needle and conversation formats alternate).", DefaultValueFactory = _ => 24 };
        var seed = new Option<long>("--seed") { Description = "Seed of the prompts.", DefaultValueFactory = _ => 11 };
        var sink = new Option<int>("--sink") { Description = "Sink tokens S (never stored).", DefaultValueFactory = _ => 4 };
        var window = new Option<int>("--window") { Description = "Window tokens W.", DefaultValueFactory = _ => 256 };
        var segment = new Option<int>("--segment") { Description = "Segment tokens L: tokens older than W + L before the question count as stored.", DefaultValueFactory = _ => 64 };
        var command = new Command("memory-share", "Share of a fact's value token in each head's softmax and memory reads (full attention, float64).")
        {
            hf, length, depth, trials, seed, sink, window, segment,
        };
        command.SetAction((parse, ct) =>
        {
            var dir = parse.GetValue(hf)!;
            string tokenizerPath = Path.Combine(dir.FullName, TokenizerFiles.TokenizerJson);
            if (!File.Exists(tokenizerPath))
            {
                throw new CliUsageException($"'{dir.FullName}' has no {TokenizerFiles.TokenizerJson}; recall prompts are text");
            }

            int n = parse.GetValue(length), trialCount = parse.GetValue(trials), s = parse.GetValue(sink), w = parse.GetValue(window), l = parse.GetValue(segment);
            double at = parse.GetValue(depth);
            if (trialCount <= 0 || s <= 0 || w <= 0 || l <= 0 || !(at >= 0 && at <= 1))
            {
                throw new CliUsageException("--trials, --sink, --window and --segment must be positive and --depth in 0..1");
            }

            if (n <= s + w + l + 16)
            {
                throw new CliUsageException($"--length {n} leaves no stored tokens: it must exceed S + W + L + 16 = {s + w + l + 16}");
            }

            var tokenizer = new BpeTokenizer(TokenizerFiles.Read(tokenizerPath));
            var weights = TransformerWeightsReader.Read(HfCheckpoint.Open(dir.FullName));
            var builder = new RecallTaskBuilder(tokenizer.Encode);
            var shares = new List<MemoryShare>();
            int used = 0;
            for (int trial = 0; trial < trialCount; trial++)
            {
                ct.ThrowIfCancellationRequested();
                var task = builder.Build(n, at, trial % 2 == 0 ? RecallTaskFormat.Needle : RecallTaskFormat.Conversation, DeterministicRandom.ForItem(parse.GetValue(seed), trial));
                int value = tokenizer.Encode(" " + task.Expected)[0];
                int storedEnd = task.PromptIds.Length - w - l;
                int position = Array.IndexOf(task.PromptIds, value, task.FactTokenIndex);
                if (position < s || position >= storedEnd)
                {
                    continue;   // the fact would still be in the window (or its value token was not found)
                }

                used++;
                shares.AddRange(MemoryShareProbe.Measure(weights, task.PromptIds, position, s, storedEnd));
            }

            if (used == 0)
            {
                throw new CliUsageException($"no prompt had its fact among the stored tokens; raise --length or lower --depth");
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean share of the value token among the stored tokens, {used} of {trialCount} prompts of {n} tokens, depth {at} (keys before RoPE)"));
            stdout.WriteLine();
            stdout.WriteLine("| layer | head | softmax | EluPlusOne | Exponential | uniform |");
            stdout.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (var g in shares.GroupBy(r => (r.Layer, r.Head)).OrderBy(g => g.Key.Layer).ThenBy(g => g.Key.Head))
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {g.Key.Layer} | {g.Key.Head} | {g.Average(r => r.Softmax):0.0000} | {g.Average(r => r.EluPlusOne):0.0000} | {g.Average(r => r.Exponential):0.0000} | {g.Average(r => r.Uniform):0.0000} |"));
            }

            return Task.FromResult(0);
        });
        return command;
    }
}
