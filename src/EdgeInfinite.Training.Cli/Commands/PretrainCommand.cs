using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Onnx.Packaging;
using System.CommandLine;

namespace EdgeInfinite.Training.Cli.Commands;

/// <summary>
/// <c>edgeinfinite-train pretrain -o &lt;out-dir&gt; --seed S [--steps N] [--minutes M] [--resume]</c>: trains a tokenizer,
/// pretrains a small Llama from scratch with full attention, converts it to a package, fine-tunes its memory gates
/// and writes <c>out-dir/package</c> with a model card. Every stage resumes from the output folder.
/// </summary>
internal static class PretrainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Working folder: tokenizer, checkpoints, intermediate packages and the final package/ (created).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the corpus, the initial weights and the batches.", DefaultValueFactory = _ => 1 };
        var steps = new Option<int>("--steps") { Description = "Base pretraining steps (the learning-rate schedule's length).", DefaultValueFactory = _ => 600 };
        var minutes = new Option<double?>("--minutes") { Description = "Stop base pretraining after this many minutes (checkpointed; --resume continues)." };
        var seqLen = new Option<int>("--seq-len") { Description = "Tokens per base training sequence.", DefaultValueFactory = _ => 512 };
        var batch = new Option<int>("--batch") { Description = "Base sequences per step.", DefaultValueFactory = _ => 8 };
        var vocab = new Option<int>("--vocab") { Description = "Largest tokenizer vocabulary.", DefaultValueFactory = _ => 2048 };
        var tokenizerChars = new Option<long>("--tokenizer-chars") { Description = "Corpus characters to train the tokenizer on.", DefaultValueFactory = _ => 1_500_000 };
        var corpusTokens = new Option<int>("--corpus-tokens") { Description = "Tokens of synthetic conversations to pretrain on (a tenth held out).", DefaultValueFactory = _ => 2_000_000 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size.", DefaultValueFactory = _ => 256 };
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => 4 };
        var heads = new Option<int>("--heads") { Description = "Query heads (hidden / heads must be a multiple of 16).", DefaultValueFactory = _ => 4 };
        var kvHeads = new Option<int>("--kv-heads") { Description = "Key/value heads.", DefaultValueFactory = _ => 2 };
        var intermediate = new Option<int>("--intermediate") { Description = "SwiGLU intermediate size.", DefaultValueFactory = _ => 688 };
        var lr = new Option<double>("--lr") { Description = "Peak base learning rate.", DefaultValueFactory = _ => 2e-3 };
        var sink = new Option<int>("--sink") { Description = "Long route: sink tokens S.", DefaultValueFactory = _ => 4 };
        var window = new Option<int>("--window") { Description = "Long route: window tokens W (a multiple of L).", DefaultValueFactory = _ => 256 };
        var segment = new Option<int>("--segment") { Description = "Long route: segment tokens L.", DefaultValueFactory = _ => 64 };
        var gateSteps = new Option<int>("--gate-steps") { Description = "Gate fine-tuning steps.", DefaultValueFactory = _ => 60 };
        var gateBatch = new Option<int>("--gate-batch") { Description = "Gate sequences per step.", DefaultValueFactory = _ => 4 };
        var gateSegments = new Option<int>("--gate-segments") { Description = "Segments of L tokens per gate training sequence (after the sink).", DefaultValueFactory = _ => 12 };
        var gateCorpusTokens = new Option<int>("--gate-corpus-tokens") { Description = "Tokens of long conversations for the gates (a tenth held out).", DefaultValueFactory = _ => 300_000 };
        var recipe = new Option<PretrainRecipe>("--recipe") { Description = "How the memory is trained: paper (gates only, base frozen) or infini (base and gates through the long route).", DefaultValueFactory = _ => PretrainRecipe.Paper };
        var longSteps = new Option<int>("--long-steps") { Description = "infini: long-route training steps.", DefaultValueFactory = _ => 300 };
        var longMinutes = new Option<double?>("--long-minutes") { Description = "infini: stop long-route training after this many minutes (checkpointed; --resume continues)." };
        var longSegments = new Option<int>("--long-segments") { Description = "infini: segments of L tokens per long sequence (after the sink).", DefaultValueFactory = _ => 16 };
        var longBatch = new Option<int>("--long-batch") { Description = "infini: long sequences per step.", DefaultValueFactory = _ => 4 };
        var longCorpusTokens = new Option<int>("--long-corpus-tokens") { Description = "infini: tokens of long conversations (a tenth held out).", DefaultValueFactory = _ => 2_000_000 };
        var longLr = new Option<double>("--long-lr") { Description = "infini: peak learning rate of the base weights.", DefaultValueFactory = _ => 5e-4 };
        var answerWeight = new Option<double>("--answer-weight") { Description = "infini: loss weight of the recalled value tokens in the long-route stage (other tokens weigh 1).", DefaultValueFactory = _ => PretrainSettings.DefaultAnswerWeight };
        var baseAnswerWeight = new Option<double>("--base-answer-weight") { Description = "Loss weight of the recalled value tokens in the base stage (other tokens weigh 1), so the base learns to read facts from its context.", DefaultValueFactory = _ => PretrainSettings.DefaultAnswerWeight };
        var longGateBias = new Option<float>("--long-gate-bias") { Description = "infini: initial gate bias b (g = sigmoid(b) at the start; -2 keeps the memory's share small, 0 reads it half).", DefaultValueFactory = _ => PretrainSettings.DefaultLongGateBias };
        var featureMap = new Option<MemoryFeatureMap>("--feature-map") { Description = "Feature map of the memory's queries and keys: EluPlusOne, L2Normalized or Exponential.", DefaultValueFactory = _ => PretrainSettings.DefaultFeatureMap };
        var featureScale = new Option<double>("--feature-scale") { Description = "Scale β of the exponential feature map, σ(x) = exp(min(β·x, 30)), in training and in the package.", DefaultValueFactory = _ => ExponentialFeatures.DefaultScale };
        var longMinDistance = new Option<int?>("--long-min-distance") { Description = "infini: smallest fact-to-question distance in the long-route corpus (default W / 2; S + W + L puts every fact beyond the window)." };
        var longCarryMemory = new Option<int>("--long-carry-memory") { Description = "infini: R > 0 starts each long sequence from the memory its batch row ended the previous step with, emptied every R steps (rows staggered), so reads are trained diluted by up to R sequences of stored text; 0 starts every sequence empty." };
        var longLeadIn = new Option<bool>("--long-lead-in") { Description = "infini: half of the long-route corpus's fact conversations start after filler, so facts are also written into a memory that already holds a conversation." };
        var longMaxFacts = new Option<int>("--long-max-facts") { Description = "infini: most facts a multi-fact conversation of the long-route corpus states (2..11; more facts, more recall answers per step).", DefaultValueFactory = _ => CorpusOptions.DefaultMaxFactsPerSample };
        var corpusStyle = new Option<CorpusStyle>("--corpus-style") { Description = "Wording of every corpus of the run: Template (the pinned default) or Varied (many phrasings per fact, several filler generators).", DefaultValueFactory = _ => CorpusStyle.Template };
        var threads = new Option<int?>("--threads") { Description = "TorchSharp CPU threads (default: TorchSharp's choice)." };
        var init = new Option<DirectoryInfo?>("--init") { Description = "Start from this package's base weights and tokenizer instead of a new tokenizer and random weights (a Llama with tied embeddings and no biases; its shape must match --hidden, --layers, --heads, --kv-heads, --intermediate)." };
        var resume = new Option<bool>("--resume") { Description = "Continue in an existing output folder from its tokenizer and checkpoints." };
        var command = new Command("pretrain", "Train the tiny default model from a seed: tokenizer, base (full attention), package, memory gates, model card.")
        {
            output, seed, steps, minutes, seqLen, batch, vocab, tokenizerChars, corpusTokens, hidden, layers, heads, kvHeads, intermediate, lr,
            sink, window, segment, gateSteps, gateBatch, gateSegments, gateCorpusTokens, recipe, longSteps, longMinutes, longSegments, longBatch, longCorpusTokens, longLr, answerWeight, baseAnswerWeight, longGateBias, featureMap, featureScale, longMinDistance, longMaxFacts, longLeadIn, longCarryMemory, corpusStyle, threads, init, resume,
        };
        command.SetAction((parse, ct) =>
        {
            var dir = parse.GetValue(output)!;
            bool resuming = parse.GetValue(resume);
            if (!resuming && dir.Exists && dir.EnumerateFileSystemInfos().Any())
            {
                throw new CliUsageException($"output folder '{dir.FullName}' is not empty; pass --resume to continue in it or choose a new folder");
            }

            var settings = new PretrainSettings
            {
                OutputDirectory = dir.FullName,
                Seed = parse.GetValue(seed),
                Steps = Positive(parse.GetValue(steps), "--steps"),
                Minutes = parse.GetValue(minutes) is { } m && !(m > 0) ? throw new CliUsageException($"--minutes must be positive, got {m}") : parse.GetValue(minutes),
                SequenceLength = Positive(parse.GetValue(seqLen), "--seq-len"),
                BatchSize = Positive(parse.GetValue(batch), "--batch"),
                Vocab = Positive(parse.GetValue(vocab), "--vocab"),
                TokenizerChars = parse.GetValue(tokenizerChars) is > 0 and var c ? c : throw new CliUsageException("--tokenizer-chars must be positive"),
                CorpusTokens = Positive(parse.GetValue(corpusTokens), "--corpus-tokens"),
                Hidden = Positive(parse.GetValue(hidden), "--hidden"),
                Layers = Positive(parse.GetValue(layers), "--layers"),
                Heads = Positive(parse.GetValue(heads), "--heads"),
                KvHeads = Positive(parse.GetValue(kvHeads), "--kv-heads"),
                Intermediate = Positive(parse.GetValue(intermediate), "--intermediate"),
                LearningRate = parse.GetValue(lr),
                Sink = Positive(parse.GetValue(sink), "--sink"),
                Window = Positive(parse.GetValue(window), "--window"),
                Segment = Positive(parse.GetValue(segment), "--segment"),
                GateSteps = Positive(parse.GetValue(gateSteps), "--gate-steps"),
                GateBatch = Positive(parse.GetValue(gateBatch), "--gate-batch"),
                GateSegments = Positive(parse.GetValue(gateSegments), "--gate-segments"),
                GateCorpusTokens = Positive(parse.GetValue(gateCorpusTokens), "--gate-corpus-tokens"),
                Recipe = parse.GetValue(recipe),
                LongSteps = Positive(parse.GetValue(longSteps), "--long-steps"),
                LongMinutes = parse.GetValue(longMinutes) is { } lm && !(lm > 0) ? throw new CliUsageException($"--long-minutes must be positive, got {lm}") : parse.GetValue(longMinutes),
                LongSegments = Positive(parse.GetValue(longSegments), "--long-segments"),
                LongBatch = Positive(parse.GetValue(longBatch), "--long-batch"),
                LongCorpusTokens = Positive(parse.GetValue(longCorpusTokens), "--long-corpus-tokens"),
                LongLearningRate = parse.GetValue(longLr) is > 0 and var llr ? llr : throw new CliUsageException("--long-lr must be positive"),
                AnswerWeight = parse.GetValue(answerWeight) is >= 1 and < 10_000 and var aw ? aw : throw new CliUsageException($"--answer-weight must be in 1..10000, got {parse.GetValue(answerWeight)}"),
                BaseAnswerWeight = parse.GetValue(baseAnswerWeight) is >= 1 and < 10_000 and var baw ? baw : throw new CliUsageException($"--base-answer-weight must be in 1..10000, got {parse.GetValue(baseAnswerWeight)}"),
                LongGateBias = parse.GetValue(longGateBias) is >= -20 and <= 20 and var gb ? gb : throw new CliUsageException($"--long-gate-bias must be in -20..20, got {parse.GetValue(longGateBias)}"),
                FeatureMap = parse.GetValue(featureMap),
                FeatureScale = parse.GetValue(featureScale) is > 0 and <= ExponentialFeatures.MaxScale and var fs ? fs : throw new CliUsageException($"--feature-scale must be in (0, {ExponentialFeatures.MaxScale}], got {parse.GetValue(featureScale)}"),
                LongMinDistance = parse.GetValue(longMinDistance) is { } md && md <= 0 ? throw new CliUsageException($"--long-min-distance must be positive, got {md}") : parse.GetValue(longMinDistance),
                LongMaxFacts = InRange(parse.GetValue(longMaxFacts), 2, FactCatalog.Slots.Count, "--long-max-facts"),
                LongLeadIn = parse.GetValue(longLeadIn),
                CorpusStyle = parse.GetValue(corpusStyle),
                LongCarryMemory = InRange(parse.GetValue(longCarryMemory), 0, 100_000, "--long-carry-memory"),
                Threads = parse.GetValue(threads),
                InitPackage = parse.GetValue(init)?.FullName,
                Resume = resuming,
            };
            if (settings.Window % settings.Segment != 0)
            {
                throw new CliUsageException($"--window {settings.Window} must be a multiple of --segment {settings.Segment}");
            }

            if (settings.Hidden % settings.Heads != 0 || settings.Hidden / settings.Heads % 16 != 0 || settings.Heads % settings.KvHeads != 0)
            {
                throw new CliUsageException($"--hidden {settings.Hidden} / --heads {settings.Heads} must be a multiple of 16 and --heads a multiple of --kv-heads {settings.KvHeads}");
            }

            new PretrainPipeline(settings, stdout, stderr).Run(ct);
            return Task.FromResult(0);
        });
        return command;
    }

    private static int Positive(int value, string name) => value > 0 ? value : throw new CliUsageException($"{name} must be positive, got {value}");

    private static int InRange(int value, int min, int max, string name) => value >= min && value <= max ? value : throw new CliUsageException($"{name} must be in {min}..{max}, got {value}");
}
