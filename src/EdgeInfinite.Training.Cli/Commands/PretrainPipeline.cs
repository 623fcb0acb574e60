using System.Diagnostics;
using System.Globalization;
using System.Text;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.ModelBuilder;
using EdgeInfinite.Onnx.Packaging;
using EdgeInfinite.Training.Data;
using EdgeInfinite.Training.Model;
using EdgeInfinite.Training.Trainers;

namespace EdgeInfinite.Training.Cli.Commands;

/// <summary>
/// The steps of <c>edgeinfinite-train pretrain</c>, each resumable from the output folder: tokenizer → base pretraining
/// (checkpoint) → Hugging Face export → package conversion → gate fine-tuning (checkpoint) → final package + model card.
/// </summary>
internal sealed class PretrainPipeline(PretrainSettings s, TextWriter stdout, TextWriter stderr)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private string Out(string name) => Path.Combine(s.OutputDirectory, name);

    public void Run(CancellationToken ct)
    {
        Directory.CreateDirectory(s.OutputDirectory);
        var card = new StringBuilder();

        // 1. Tokenizer (an initial package brings its own: its embeddings are indexed by it).
        var initial = s.InitPackage is { } initPackage ? InitialWeights(initPackage) : null;
        string tokenizerDir = Out("tokenizer");
        var tokenizerClock = Stopwatch.StartNew();
        BpeModel bpe;
        if (s.Resume && File.Exists(Path.Combine(tokenizerDir, TokenizerFiles.TokenizerJson)))
        {
            bpe = TokenizerFiles.Read(Path.Combine(tokenizerDir, TokenizerFiles.TokenizerJson));
            stderr.WriteLine($"pretrain: reusing tokenizer {tokenizerDir} (vocab {bpe.VocabSize})");
        }
        else
        {
            bpe = initial is null ? TrainTokenizer(ct) : TokenizerFiles.Read(Path.Combine(s.InitPackage!, TokenizerFiles.TokenizerJson));
            TokenizerFiles.Write(tokenizerDir, bpe);
        }

        if (initial is not null && bpe.VocabSize != initial.Shape.VocabSize)
        {
            throw new CliUsageException($"--init {s.InitPackage}: the tokenizer has {bpe.VocabSize} tokens, the model {initial.Shape.VocabSize}");
        }

        var tokenizer = new BpeTokenizer(bpe);
        var encoder = new SampleEncoder(tokenizer);
        int imEnd = bpe.Ids[ChatMlTemplate.ImEnd], endOfText = bpe.Ids[ChatMlTemplate.EndOfText];
        stdout.WriteLine(Inv($"tokenizer: vocab {bpe.VocabSize} (asked {s.Vocab}), {bpe.Merges.Count} merges ({tokenizerClock.Elapsed.TotalSeconds:F0} s)"));

        // 2. Base pretraining with full attention.
        // Facts lie inside the training sequence and sequences start where a conversation starts, so every question
        // the base sees can be answered from its context: in-window recall first, the memory's job comes later.
        int baseMaxDistance = s.SequenceLength * 7 / 8;
        var corpusOptions = new CorpusOptions { Seed = s.Seed, MinDistanceTokens = 16, MaxDistanceTokens = baseMaxDistance, TokenCounter = tokenizer, Style = s.CorpusStyle };
        var (baseStream, baseSamples, baseStarts, baseWeights) = Stream(corpusOptions, encoder, s.CorpusTokens, 0, s.BaseAnswerWeight, "encoding base corpus", ct);
        bool baseWeighted = s.BaseAnswerWeight != PretrainSettings.DefaultAnswerWeight;
        var shape = initial?.Shape ?? new BaseModelShape
        {
            VocabSize = bpe.VocabSize,
            HiddenSize = s.Hidden,
            Layers = s.Layers,
            Heads = s.Heads,
            KvHeads = s.KvHeads,
            IntermediateSize = s.Intermediate,
        };
        string baseCheckpoint = Out("base.ckpt");
        var pretrainOptions = new PretrainOptions
        {
            Shape = shape,
            Data = new TokenStreamData(baseStream, s.Seed, baseStarts, baseWeighted ? baseWeights : null),
            DataDescription = Inv($"synthetic corpus seed {s.Seed} distances 16-{baseMaxDistance}, sample-aligned, {baseStream.Length} tokens{(baseWeighted ? Inv($", answer weight {s.BaseAnswerWeight}") : "")}"),
            Steps = s.Steps,
            TimeLimit = s.Minutes is { } m ? TimeSpan.FromMinutes(m) : null,
            SequenceLength = s.SequenceLength,
            BatchSize = s.BatchSize,
            LearningRate = s.LearningRate,
            WarmupSteps = Math.Max(1, Math.Min(30, s.Steps / 10)),
            Seed = s.Seed,
            CheckpointPath = baseCheckpoint,
            Resume = s.Resume,
            Threads = s.Threads,
            InitialWeights = initial,
        };
        var pretrainer = new BasePretrainer(pretrainOptions);
        stderr.WriteLine(Inv($"pretrain: base {shape.Fingerprint}, {s.Steps} steps of {s.BatchSize} × {s.SequenceLength} tokens, lr {s.LearningRate}, corpus {baseStream.Length:N0} tokens ({baseSamples} samples)"));
        PretrainResult baseResult;
        using (var bar = new ConsoleProgressBar(stderr))
        {
            baseResult = pretrainer.Train(new SyncProgress<TrainingProgress>(p =>
                bar.Report(Inv($"base {p.Step}/{p.TotalSteps} loss {p.Loss:F3} eta {p.Eta:hh\\:mm\\:ss}"), p.Fraction)), ct);
        }

        double lastLoss = baseResult.Losses.Count > 0 ? baseResult.Losses.TakeLast(20).Average() : double.NaN;
        stdout.WriteLine(Inv($"base: step {baseResult.Step}/{baseResult.TotalSteps} ({baseResult.ParameterCount:N0} parameters, {baseResult.MeanStepTime.TotalMilliseconds:F0} ms/step), train loss (last 20) {lastLoss:F4}, held-out loss {baseResult.HeldOutLossBefore:F4} -> {baseResult.HeldOutLossAfter:F4}"));

        // 3. Export + convert.
        string basePackage = Out("base-package");
        string gateCheckpoint = Out("gates.ckpt");
        var route = new LongRouteSettings
        {
            SinkTokens = s.Sink,
            WindowTokens = s.Window,
            SegmentTokens = s.Segment,
            RouteThreshold = Math.Min(1024, s.SequenceLength),
            FeatureMap = s.FeatureMap,
            FeatureScale = s.FeatureScale,
        };
        if (!(s.Resume && baseResult.Step == baseResult.StartStep && File.Exists(Path.Combine(basePackage, PackageConfig.FileName))))
        {
            string hf = Out("hf");
            BasePretrainer.ExportCheckpoint(baseCheckpoint, shape, hf, tokenizerDir, [imEnd, endOfText]);
            new PackageBuilder().Convert(hf, basePackage, new ConversionOptions { LongRoute = route, Overwrite = true, Name = "edgeinfinite-tiny" }, cancellationToken: ct);
            File.Delete(gateCheckpoint);
        }

        // 4. The memory: gates alone (the paper's recipe) or base and gates through the long route (Infini-attention's).
        int far = s.Sink + s.Window + s.Segment;
        string package = Out("package");
        if (Directory.Exists(package))
        {
            Directory.Delete(package, recursive: true);
        }

        var memory = s.Recipe == PretrainRecipe.Infini
            ? TrainThroughLongRoute(shape, route, encoder, tokenizer, baseCheckpoint, tokenizerDir, [imEnd, endOfText], package, ct)
            : TrainGatesOnly(route, encoder, tokenizer, basePackage, gateCheckpoint, package, ct);
        stdout.WriteLine(memory.Summary);
        // 5. Model card.
        long bytes = Directory.EnumerateFiles(package, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        card.AppendLine("# edgeinfinite-tiny — model card");
        card.AppendLine();
        card.AppendLine(Inv($"Produced by `edgeinfinite-train pretrain` (EdgeInfinite.Training.Cli) on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC in {_clock.Elapsed.TotalMinutes:F1} min of this process. A first iteration: small, trained briefly on synthetic data only. It produces ChatML-formatted text; it is not a useful assistant."));
        card.AppendLine();
        card.AppendLine("## Command");
        card.AppendLine();
        card.AppendLine("```");
        card.AppendLine(CommandLine());
        card.AppendLine("```");
        card.AppendLine();
        card.AppendLine(Inv($"## Recipe ({memory.Title})"));
        card.AppendLine();
        card.AppendLine(initial is null
            ? Inv($"- Tokenizer: byte-level BPE trained on {s.TokenizerChars:N0} characters of the synthetic corpus (seed {s.Seed}); vocab {bpe.VocabSize}, ChatML added tokens; EOS `<|im_end|>` ({imEnd}), `<|endoftext|>` ({endOfText}).")
            : Inv($"- Tokenizer: the initial package's (vocab {bpe.VocabSize}); EOS `<|im_end|>` ({imEnd}), `<|endoftext|>` ({endOfText})."));
        card.AppendLine(Inv($"- Base: Llama, hidden {shape.HiddenSize}, {shape.Layers} layers, {shape.Heads} query heads / {shape.KvHeads} KV heads, head_dim {shape.HeadDim}, SwiGLU {shape.IntermediateSize}, tied embeddings, RoPE θ {shape.RopeTheta}; {baseResult.ParameterCount:N0} parameters, all trained{(initial is null ? Inv($" from random init (seed {s.Seed}, N(0, 0.02), residual projections 0.02/√(2·layers))") : Inv($", starting from the base of {initial.Description} (its gates are not used)"))}."));
        card.AppendLine(Inv($"- Base data: {baseSamples:N0} SyntheticCorpus conversations (seed {s.Seed}, fact distances 16–{baseMaxDistance} tokens, default task mix) encoded with SampleEncoder and packed into one stream of {baseStream.Length:N0} tokens; sequences of {s.SequenceLength} tokens starting where a conversation starts (seeded); the last tenth held out. Loss: next-token cross-entropy on **all** tokens (user and assistant turns and ChatML markers), so the tiny model learns the format as well as the answers{(baseWeighted ? Inv($"; the recalled values weigh {s.BaseAnswerWeight}, every other token 1") : "")}."));
        card.AppendLine(Inv($"- Base optimisation: AdamW (β 0.9/0.999, no weight decay), peak lr {s.LearningRate}, {pretrainOptions.WarmupSteps} warm-up steps, cosine decay to 10% over {s.Steps} steps, gradient-norm clip 1.0, batch {s.BatchSize}. Ran steps {baseResult.StartStep + 1}..{baseResult.Step} in this process ({baseResult.TrainingTime.TotalMinutes:F1} min, {baseResult.MeanStepTime.TotalMilliseconds:F0} ms/step){(baseResult.Completed ? "" : " — **stopped by the time limit before the schedule ended**")}."));
        card.AppendLine(Inv($"- Long route: S = {s.Sink}, W = {s.Window}, L = {s.Segment}, route threshold {route.RouteThreshold} (not above the trained sequence length, so the short route stays within trained positions), {route.UpdateRule.ToString().ToLowerInvariant()} rule, feature map {route.FeatureMap}{(route.FeatureMap == MemoryFeatureMap.Exponential ? Inv($" (β = {route.FeatureScale})") : "")}, ε {route.Epsilon}."));
        card.AppendLine(memory.RecipeLine);
        card.AppendLine();
        card.AppendLine("## Measured");
        card.AppendLine();
        card.AppendLine("| what | value |");
        card.AppendLine("|---|---|");
        card.AppendLine(Inv($"| base train loss, first step | {(baseResult.Losses.Count > 0 ? baseResult.Losses[0] : double.NaN):F4} |"));
        card.AppendLine(Inv($"| base train loss, mean of last 20 steps | {lastLoss:F4} |"));
        card.AppendLine(Inv($"| base held-out loss (full attention, 8 × {s.SequenceLength}) at start of this process → end | {baseResult.HeldOutLossBefore:F4} → {baseResult.HeldOutLossAfter:F4} |"));
        foreach (string row in memory.MeasuredRows)
        {
            card.AppendLine(row);
        }
        card.AppendLine(Inv($"| package size | {bytes / 1048576.0:F1} MB (float32) |"));
        card.AppendLine(Inv($"| wall time of this `pretrain` process | {_clock.Elapsed.TotalMinutes:F1} min |"));
        card.AppendLine();
        card.AppendLine("Losses are nats per token (ln of the vocabulary size is the uniform-guess loss: " + Inv($"{Math.Log(bpe.VocabSize):F2}") + ").");
        File.WriteAllText(Path.Combine(package, "MODEL_CARD.md"), card.ToString());
        stdout.WriteLine(Inv($"wrote {package} ({bytes / 1048576.0:F1} MB) with MODEL_CARD.md in {_clock.Elapsed.TotalMinutes:F1} min"));
    }

    private MemoryStageReport TrainGatesOnly(LongRouteSettings route, SampleEncoder encoder, BpeTokenizer tokenizer, string basePackage, string gateCheckpoint, string package, CancellationToken ct)
    {
        int far = s.Sink + s.Window + s.Segment;
        var gateCorpus = new CorpusOptions { Seed = s.Seed + 1, MinDistanceTokens = far, MaxDistanceTokens = Math.Max(far, s.Sink + ((s.GateSegments - 2) * s.Segment)), TokenCounter = tokenizer, Style = s.CorpusStyle };
        var (gateStream, gateSamples, gateStarts) = Stream(gateCorpus, encoder, s.GateCorpusTokens, 0, "encoding gate corpus", ct);
        var gateOptions = new GateTrainingOptions
        {
            Steps = s.GateSteps,
            BatchSize = s.GateBatch,
            SegmentsPerSequence = s.GateSegments,
            Seed = s.Seed,
            CheckpointPath = gateCheckpoint,
            Resume = true,
            Threads = s.Threads,
            Data = new TokenStreamData(gateStream, s.Seed, gateStarts),
        };
        var (_, gateLength) = GateTrainer.SequenceShape(route, s.GateSegments);
        stderr.WriteLine(Inv($"pretrain: gates, {s.GateSteps} steps of {s.GateBatch} × {gateLength} tokens, facts {gateCorpus.MinDistanceTokens}-{gateCorpus.MaxDistanceTokens} tokens back, corpus {gateStream.Length:N0} tokens ({gateSamples} samples)"));
        GateTrainingResult gates;
        using (var bar = new ConsoleProgressBar(stderr))
        {
            gates = new GateTrainer(gateOptions).Train(basePackage, package, new SyncProgress<TrainingProgress>(p =>
                bar.Report(Inv($"gates {p.Step}/{p.TotalSteps} loss {p.Loss:F3}"), p.Fraction)), ct);
        }

        return new MemoryStageReport(
            "the paper's: base with full attention, then gates only",
            Inv($"- Gates: GateTrainer, {s.GateSteps} steps, batch {s.GateBatch} × {gateLength} tokens, lr {gateOptions.LearningRate}, initial bias {gateOptions.InitialGateBias}, truncated BPTT every {gateOptions.DetachEverySegments} segments; data: {gateSamples:N0} conversations (seed {s.Seed + 1}) with facts {gateCorpus.MinDistanceTokens}–{gateCorpus.MaxDistanceTokens} tokens before the question (beyond S + W + L = {far}), packed into {gateStream.Length:N0} tokens; {gates.TrainableParameters} trained values."),
            [
                Inv($"| gate held-out long-route loss, memory off | {gates.HeldOutLossMemoryOff:F4} |"),
                Inv($"| gate held-out long-route loss, before → after gate training | {gates.HeldOutLossBefore:F4} → {gates.HeldOutLossAfter:F4} |"),
            ],
            Inv($"gates: {gates.TrainableParameters} values, {gates.MeanStepTime.TotalMilliseconds:F0} ms/step, held-out long-route loss: memory off {gates.HeldOutLossMemoryOff:F4}, before {gates.HeldOutLossBefore:F4}, after {gates.HeldOutLossAfter:F4}"));
    }

    private MemoryStageReport TrainThroughLongRoute(BaseModelShape shape, LongRouteSettings route, SampleEncoder encoder, BpeTokenizer tokenizer, string baseCheckpoint, string tokenizerDir, int[] eos, string package, CancellationToken ct)
    {
        // Facts from inside the window to well beyond it; each sequence starts where a conversation starts and is long
        // enough for its question to come after the fact went to memory.
        int far = s.Sink + s.Window + s.Segment;
        int length = s.Sink + (s.LongSegments * s.Segment);

        // Room for a fact, its distance and the question inside one sequence.
        int room = length - (2 * s.Segment);
        int longMin = s.LongMinDistance ?? Math.Max(16, s.Window / 2);
        var longCorpus = new CorpusOptions { Seed = s.Seed + 2, MinDistanceTokens = longMin, MaxDistanceTokens = Math.Max(longMin, Math.Max(far, room)), MaxFactsPerSample = s.LongMaxFacts, LeadInTokens = s.LongLeadIn ? room : 0, TokenCounter = tokenizer, Style = s.CorpusStyle };
        var (longStream, longSamples, longStarts, longWeights) = Stream(longCorpus, encoder, s.LongCorpusTokens, 0, s.AnswerWeight, "encoding long corpus", ct);
        var baseCorpus = new CorpusOptions { Seed = s.Seed + 3, MinDistanceTokens = 16, MaxDistanceTokens = s.SequenceLength * 7 / 8, TokenCounter = tokenizer, Style = s.CorpusStyle };
        var (shortStream, _, shortStarts, shortWeights) = Stream(baseCorpus, encoder, Math.Max(s.LongCorpusTokens / 2, 4 * s.SequenceLength), 0, s.AnswerWeight, "encoding short corpus", ct);
        string description = Inv($"long corpus seed {s.Seed + 2} distances {longCorpus.MinDistanceTokens}-{longCorpus.MaxDistanceTokens} {longStream.Length} tokens{(s.LongMaxFacts != CorpusOptions.DefaultMaxFactsPerSample ? Inv($", up to {s.LongMaxFacts} facts") : "")}{(s.LongLeadIn ? Inv($", lead-in up to {longCorpus.LeadInTokens}") : "")}, short corpus seed {s.Seed + 3} {shortStream.Length} tokens{(s.AnswerWeight != PretrainSettings.DefaultAnswerWeight ? Inv($", answer weight {s.AnswerWeight}") : "")}");
        bool weighted = s.AnswerWeight != PretrainSettings.DefaultAnswerWeight;
        var options = new LongRouteTrainingOptions
        {
            Shape = shape,
            LongRoute = route,
            LongData = new TokenStreamData(longStream, s.Seed, longStarts, weighted ? longWeights : null),
            ShortData = new TokenStreamData(shortStream, s.Seed + 1, shortStarts, weighted ? shortWeights : null),
            DataDescription = description,
            Steps = s.LongSteps,
            TimeLimit = s.LongMinutes is { } m ? TimeSpan.FromMinutes(m) : null,
            Segments = s.LongSegments,
            BatchSize = s.LongBatch,
            ShortSequenceLength = s.SequenceLength,
            ShortBatchSize = Math.Max(1, s.BatchSize / 2),
            LearningRate = s.LongLearningRate,
            InitialGateBias = s.LongGateBias,
            CarryMemorySteps = s.LongCarryMemory,
            Seed = s.Seed,
            CheckpointPath = Out("long.ckpt"),
            Resume = s.Resume,
            Threads = s.Threads,
        };
        var trainer = new LongRouteTrainer(options);
        stderr.WriteLine(Inv($"pretrain: long route, {s.LongSteps} steps of {s.LongBatch} × {trainer.SequenceLength} tokens (+ {options.ShortBatchSize} × {s.SequenceLength} full attention), facts {longCorpus.MinDistanceTokens}-{longCorpus.MaxDistanceTokens} tokens back, corpus {longStream.Length:N0} tokens ({longSamples} samples)"));
        LongRouteTrainingResult result;
        using (var bar = new ConsoleProgressBar(stderr))
        {
            result = trainer.Train(baseCheckpoint, new SyncProgress<TrainingProgress>(p =>
                bar.Report(Inv($"long {p.Step}/{p.TotalSteps} loss {p.Loss:F3} eta {p.Eta:hh\\:mm\\:ss}"), p.Fraction)), ct);
        }

        string hf = Out("hf-long");
        string longPackage = Out("long-package");
        BasePretrainer.ExportCheckpoint(options.CheckpointPath, shape, hf, tokenizerDir, eos);
        new PackageBuilder().Convert(hf, longPackage, new ConversionOptions { LongRoute = route, Overwrite = true, Name = "edgeinfinite-tiny" }, cancellationToken: ct);
        var (w, b) = LongRouteTrainer.ReadGates(options.CheckpointPath, shape);
        PackageGates.WriteCopy(longPackage, package, w, b);
        return new MemoryStageReport(
            "Infini-attention's: base with full attention, then base and gates through the long route",
            Inv($"- Long route training: LongRouteTrainer, steps {result.StartStep + 1}..{result.Step} of {s.LongSteps}{(result.Completed ? "" : " (**stopped by the time limit**)")} in this process ({result.TrainingTime.TotalMinutes:F1} min, {result.MeanStepTime.TotalMilliseconds:F0} ms/step); each step {s.LongBatch} × {trainer.SequenceLength} tokens through the long route (no BPTT truncation) plus {options.ShortBatchSize} × {s.SequenceLength} with full attention; all base weights (peak lr {s.LongLearningRate}) and {result.GateParameters} gate values (lr {options.GateLearningRate}, initial bias {options.InitialGateBias}); data: {longSamples:N0} conversations (seed {s.Seed + 2}) with facts {longCorpus.MinDistanceTokens}–{longCorpus.MaxDistanceTokens} tokens before the question (S + W + L = {far}), multi-fact conversations with 2–{s.LongMaxFacts} facts, {(s.LongLeadIn ? Inv($"half of the fact conversations first with filler of up to {longCorpus.LeadInTokens} tokens less the distance, ") : "")}{longStream.Length:N0} tokens; loss weight of the recalled values (both batches) {s.AnswerWeight}, every other token 1{(s.LongCarryMemory > 0 ? Inv($"; each long sequence starts from the memory its batch row ended the previous step with, emptied every {s.LongCarryMemory} steps (rows staggered: up to {s.LongCarryMemory - 1} earlier sequences in memory)") : "")}."),
            [
                Inv($"| long-route held-out loss, memory off: before → after | {result.HeldOutLossMemoryOffBefore:F4} → {result.HeldOutLossMemoryOffAfter:F4} |"),
                Inv($"| long-route held-out loss, memory on: before → after | {result.HeldOutLossBefore:F4} → {result.HeldOutLossAfter:F4} |"),
                Inv($"| long-route train loss, mean of last 20 steps | {(result.Losses.Count > 0 ? result.Losses.TakeLast(20).Average() : double.NaN):F4} |"),
            ],
            Inv($"long route: step {result.Step}/{result.TotalSteps}, {result.MeanStepTime.TotalMilliseconds:F0} ms/step, held-out loss memory off {result.HeldOutLossMemoryOffBefore:F4} -> {result.HeldOutLossMemoryOffAfter:F4}, memory on {result.HeldOutLossBefore:F4} -> {result.HeldOutLossAfter:F4}"));
    }

    /// <summary>The command that reproduces this run: every setting that shapes the result, optional ones only when set.</summary>
    private string CommandLine()
    {
        var line = new StringBuilder(Inv($"edgeinfinite-train pretrain -o <dir> --seed {s.Seed} --steps {s.Steps}"));
        if (s.Minutes is { } minutes)
        {
            line.Append(Inv($" --minutes {minutes}"));
        }

        line.Append(Inv($" --seq-len {s.SequenceLength} --batch {s.BatchSize} --vocab {s.Vocab} --corpus-tokens {s.CorpusTokens} --hidden {s.Hidden} --layers {s.Layers} --heads {s.Heads} --kv-heads {s.KvHeads} --intermediate {s.Intermediate} --lr {s.LearningRate} --sink {s.Sink} --window {s.Window} --segment {s.Segment}"));
        if (s.FeatureMap != PretrainSettings.DefaultFeatureMap)
        {
            line.Append(Inv($" --feature-map {s.FeatureMap}"));
        }

        if (s.FeatureScale != ExponentialFeatures.DefaultScale)
        {
            line.Append(Inv($" --feature-scale {s.FeatureScale}"));
        }

        if (s.Recipe != PretrainRecipe.Infini)
        {
            line.Append(Inv($" --recipe paper --gate-steps {s.GateSteps} --gate-batch {s.GateBatch} --gate-segments {s.GateSegments} --gate-corpus-tokens {s.GateCorpusTokens}"));
        }
        else
        {
            AppendLongRouteFlags(line);
        }

        // The settings of every recipe.
        if (s.BaseAnswerWeight != PretrainSettings.DefaultAnswerWeight)
        {
            line.Append(Inv($" --base-answer-weight {s.BaseAnswerWeight}"));
        }

        if (s.CorpusStyle != CorpusStyle.Template)
        {
            line.Append(Inv($" --corpus-style {s.CorpusStyle}"));
        }

        if (s.InitPackage is not null)
        {
            line.Append(" --init <package>");
        }

        return line.ToString();
    }

    private void AppendLongRouteFlags(StringBuilder line)
    {
        line.Append(Inv($" --recipe infini --long-steps {s.LongSteps}"));
        if (s.LongMinutes is { } longMinutes)
        {
            line.Append(Inv($" --long-minutes {longMinutes}"));
        }

        line.Append(Inv($" --long-segments {s.LongSegments} --long-batch {s.LongBatch} --long-corpus-tokens {s.LongCorpusTokens} --long-lr {s.LongLearningRate}"));
        if (s.AnswerWeight != PretrainSettings.DefaultAnswerWeight)
        {
            line.Append(Inv($" --answer-weight {s.AnswerWeight}"));
        }

        if (s.LongGateBias != PretrainSettings.DefaultLongGateBias)
        {
            line.Append(Inv($" --long-gate-bias {s.LongGateBias}"));
        }

        if (s.LongMinDistance is { } minDistance)
        {
            line.Append(Inv($" --long-min-distance {minDistance}"));
        }

        if (s.LongMaxFacts != CorpusOptions.DefaultMaxFactsPerSample)
        {
            line.Append(Inv($" --long-max-facts {s.LongMaxFacts}"));
        }

        if (s.LongLeadIn)
        {
            line.Append(" --long-lead-in");
        }

        if (s.LongCarryMemory > 0)
        {
            line.Append(Inv($" --long-carry-memory {s.LongCarryMemory}"));
        }
    }

    /// <summary>Reads the initial package's base and checks it has the asked shape, naming the first option that differs.</summary>
    private InitialBaseWeights InitialWeights(string package)
    {
        var initial = InitialBaseWeights.FromPackage(package);
        var shape = initial.Shape;
        foreach (var (option, asked, found) in new[] { ("--hidden", s.Hidden, shape.HiddenSize), ("--layers", s.Layers, shape.Layers), ("--heads", s.Heads, shape.Heads), ("--kv-heads", s.KvHeads, shape.KvHeads), ("--intermediate", s.Intermediate, shape.IntermediateSize) })
        {
            if (asked != found)
            {
                throw new CliUsageException(Inv($"--init {package}: the package has {option[2..]} {found}, {option} is {asked}"));
            }
        }

        stderr.WriteLine(Inv($"pretrain: starting from {initial.Description} ({shape.Fingerprint})"));
        return initial;
    }

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private BpeModel TrainTokenizer(CancellationToken ct)
    {
        var corpus = new SyntheticCorpus(new CorpusOptions { Seed = s.Seed, MinDistanceTokens = 32, MaxDistanceTokens = 1024, Style = s.CorpusStyle });
        var texts = new List<string>();
        long total = 0;
        using var bar = new ConsoleProgressBar(stderr);
        foreach (var sample in corpus.Samples(long.MaxValue / 2))
        {
            ct.ThrowIfCancellationRequested();
            string text = SyntheticCorpus.ToTrainingText(sample);
            texts.Add(text);
            total += text.Length;
            bar.Report("tokenizer corpus", 0.3 * Math.Min(1.0, (double)total / s.TokenizerChars));
            if (total >= s.TokenizerChars)
            {
                break;
            }
        }

        var model = new BpeTrainer(new BpeTrainerOptions { VocabSize = s.Vocab }).Train(texts, new SyncProgress<double>(f => bar.Report("tokenizer merges", 0.3 + (0.7 * f))), ct);
        bar.Report("tokenizer done", 1);
        return model;
    }

    private (int[] Stream, int Samples, List<int> Starts) Stream(CorpusOptions options, SampleEncoder encoder, int tokens, long start, string stage, CancellationToken ct)
    {
        var (ids, samples, starts, _) = Stream(options, encoder, tokens, start, answerWeight: 1, stage, ct);
        return (ids, samples, starts);
    }

    /// <summary>Encodes samples until <paramref name="tokens"/>; the weights give recall answer tokens <paramref name="answerWeight"/> and the rest 1.</summary>
    private (int[] Stream, int Samples, List<int> Starts, float[] Weights) Stream(CorpusOptions options, SampleEncoder encoder, int tokens, long start, double answerWeight, string stage, CancellationToken ct)
    {
        var corpus = new SyntheticCorpus(options);
        var ids = new List<int>(tokens + 4096);
        var weights = new List<float>(tokens + 4096);
        var starts = new List<int>();
        int samples = 0;
        using var bar = new ConsoleProgressBar(stderr);
        foreach (var sample in corpus.Samples(long.MaxValue / 2, start))
        {
            ct.ThrowIfCancellationRequested();
            starts.Add(ids.Count);
            var encoded = encoder.Encode(sample);
            ids.AddRange(encoded.Ids);
            weights.AddRange(encoded.Answers.Select(a => a ? (float)answerWeight : 1f));
            samples++;
            bar.Report(stage, Math.Min(1.0, (double)ids.Count / tokens));
            if (ids.Count >= tokens)
            {
                break;
            }
        }

        return ([.. ids.Take(tokens)], samples, starts.Where(at => at < tokens).ToList(), [.. weights.Take(tokens)]);
    }
}
