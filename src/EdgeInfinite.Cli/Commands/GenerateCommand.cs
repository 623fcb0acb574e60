using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using EdgeInfinite.Onnx;
using EdgeInfinite.Onnx.Constraints;
using EdgeInfinite.Onnx.Generation;
using EdgeInfinite.Onnx.Inference;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Cli.Commands;

/// <summary><c>edgeinfinite generate &lt;package-dir&gt; (--prompt | --prompt-file | --prompt-ids | --prompt-ids-file) ...</c>.</summary>
internal static class GenerateCommand
{
    /// <summary>The largest <c>--json-schema</c> file read (a schema is a few KB).</summary>
    private const int MaxSchemaBytes = 1 << 20;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var package = new Argument<DirectoryInfo>("package-dir") { Description = "EdgeInfinite model package folder." };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt text." };
        var promptFile = new Option<FileInfo?>("--prompt-file") { Description = "File with the prompt text (UTF-8)." };
        var promptIds = new Option<string?>("--prompt-ids") { Description = "Prompt token ids, comma-separated." };
        var promptIdsFile = new Option<FileInfo?>("--prompt-ids-file") { Description = "File with prompt token ids separated by commas or whitespace." };
        var chat = new Option<bool>("--chat") { Description = "Render the prompt text as a user turn with the package's chat template." };
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Maximum new tokens.", DefaultValueFactory = _ => 128 };
        var greedy = new Option<bool>("--greedy") { Description = "Take the most likely token at every step." };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature.", DefaultValueFactory = _ => 1f };
        var topK = new Option<int>("--top-k") { Description = "Top-k (0 = off)." };
        var topP = new Option<float>("--top-p") { Description = "Top-p (1 = off).", DefaultValueFactory = _ => 1f };
        var repetition = new Option<float>("--repetition-penalty") { Description = "Repetition penalty (1 = off).", DefaultValueFactory = _ => 1f };
        var seed = new Option<int?>("--seed") { Description = "Sampling seed." };
        var stop = new Option<string[]>("--stop") { Description = "Stop string (repeatable).", AllowMultipleArgumentsPerToken = false };
        var route = new Option<Route>("--route") { Description = "auto, short or long.", DefaultValueFactory = _ => Route.Auto };
        var printIds = new Option<bool>("--print-ids") { Description = "Print the generated ids comma-separated on one line instead of the text." };
        var dumpLogits = new Option<FileInfo?>("--dump-logits") { Description = "Write the logits of every prompt position as float32 little-endian [prompt_len, vocab]." };
        var threads = new Option<int?>("--threads") { Description = "ONNX Runtime intra-op threads." };
        var memoryOff = new Option<bool>("--memory-off") { Description = "Long route without memory: tokens leaving the window are dropped (sink + window only)." };
        var loadState = new Option<FileInfo?>("--load-state") { Description = "Continue from a saved state: the prompt is appended to it." };
        var saveState = new Option<FileInfo?>("--save-state") { Description = "Save the state after generating (the last generated token is not in it)." };
        var json = new Option<bool>("--json") { Description = "Constrain the output to one JSON value (constrained decoding)." };
        var jsonSchema = new Option<FileInfo?>("--json-schema") { Description = "Constrain the output to an instance of the JSON Schema in this file (the subset in docs/structured-output.md)." };

        var command = new Command("generate", "Generate text or ids from a package.")
        {
            package, prompt, promptFile, promptIds, promptIdsFile, chat, maxNew, greedy, temperature, topK, topP, repetition, seed, stop, route, printIds, dumpLogits, threads, memoryOff, loadState, saveState, json, jsonSchema,
        };
        command.SetAction((parse, ct) =>
        {
            var options = new GenerationOptions
            {
                MaxNewTokens = parse.GetValue(maxNew),
                Greedy = parse.GetValue(greedy),
                Temperature = parse.GetValue(temperature),
                TopK = parse.GetValue(topK),
                TopP = parse.GetValue(topP),
                RepetitionPenalty = parse.GetValue(repetition),
                Seed = parse.GetValue(seed),
                StopSequences = parse.GetValue(stop) ?? [],
                Route = parse.GetValue(route),
                Constraint = ReadConstraint(parse.GetValue(json), parse.GetValue(jsonSchema)),
            };
            options.Validate();
            using var model = EdgeInfiniteModel.Load(parse.GetValue(package)!.FullName, new EdgeInfiniteModelOptions { IntraOpThreads = parse.GetValue(threads) });
            var ids = ReadPrompt(model, parse.GetValue(prompt), parse.GetValue(promptFile), parse.GetValue(promptIds), parse.GetValue(promptIdsFile), parse.GetValue(chat));
            var dump = parse.GetValue(dumpLogits);
            Run(model, ids, options, !parse.GetValue(memoryOff), parse.GetValue(printIds), dump?.FullName, parse.GetValue(loadState)?.FullName, parse.GetValue(saveState)?.FullName, stdout, stderr, ct);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The output grammar of <c>--json</c> / <c>--json-schema</c>, or none.</summary>
    internal static JsonGrammar? ReadConstraint(bool json, FileInfo? schemaFile)
    {
        if (schemaFile is null)
        {
            return json ? JsonGrammar.AnyValue() : null;
        }

        if (json)
        {
            throw new CliUsageException("--json and --json-schema exclude each other (a schema already implies JSON)");
        }

        // A schema may come from anyone: bounded before it is read, and only a regular file is opened.
        if (!schemaFile.Exists)
        {
            throw new FileNotFoundException($"--json-schema '{schemaFile.FullName}' does not exist", schemaFile.FullName);
        }

        if (schemaFile.Length is 0 or > MaxSchemaBytes)
        {
            throw new InvalidDataException($"--json-schema '{schemaFile.FullName}' is {schemaFile.Length} bytes; a schema file must be a regular file of 1..{MaxSchemaBytes} bytes");
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(schemaFile.FullName), new JsonDocumentOptions { MaxDepth = 64 });
            return JsonGrammar.FromSchema(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"--json-schema '{schemaFile.FullName}' is not valid JSON: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException)
        {
            throw new InvalidDataException($"--json-schema '{schemaFile.FullName}': {ex.Message}", ex);
        }
    }

    private static void Run(EdgeInfiniteModel model, int[] ids, GenerationOptions options, bool memory, bool printIds, string? dumpPath, string? loadPath, string? savePath, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var state = loadPath is null ? model.CreateStateForPrompt(options.Route, ids.Length, options.MaxNewTokens, memory) : LoadState(model, loadPath);
        var generated = new List<int>();
        GenerationUpdate? last = null;
        var clock = Stopwatch.StartNew();
        TimeSpan firstTokenAt = TimeSpan.Zero, lastTokenAt = TimeSpan.Zero;
        using (var bar = new ConsoleProgressBar(stderr))
        {
            var progress = ids.Length > model.Config.LongRoute.SegmentTokens ? new SyncProgress<PrefillProgress>(p => bar.Report("prefill", (double)p.Processed / p.Total)) : null;
            Action<float[]>? sink = dumpPath is null ? null : logits => WriteAtomically(dumpPath, logits);
            foreach (var update in new TextGenerator(model).Generate(state, ids, options, progress, ct, sink))
            {
                if (update.TokenId is { } id)
                {
                    generated.Add(id);
                    lastTokenAt = clock.Elapsed;
                    firstTokenAt = generated.Count == 1 ? lastTokenAt : firstTokenAt;
                }

                if (!printIds && update.Text.Length > 0)
                {
                    stdout.Write(update.Text);
                    stdout.Flush();
                }

                last = update;
            }
        }

        stdout.WriteLine(printIds ? string.Join(",", generated) : string.Empty);
        if (savePath is not null)
        {
            ct.ThrowIfCancellationRequested();
            AtomicFile.Write(savePath, state.Save);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"route {state.Route.ToString().ToLowerInvariant()}, prompt {ids.Length} tokens, generated {generated.Count}, ttft {last?.TimeToFirstToken?.TotalMilliseconds ?? 0:0} ms, decode {FormatDecodeRate(generated.Count, firstTokenAt, lastTokenAt)}, {generated.Count / Math.Max(seconds, 1e-9):0.0} tokens/s overall, finish {last?.FinishReason?.ToString().ToLowerInvariant()}, {state.TokensInMemory} tokens in memory, state {state.StateBytes} bytes, peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0):0.0} MB"));
    }

    /// <summary>
    /// The decode rate alone: the tokens after the first over the time after the first, so a long prompt's prefill
    /// does not hide how fast a precision or route decodes ("n/a" when fewer than two tokens were generated).
    /// </summary>
    internal static string FormatDecodeRate(int generated, TimeSpan firstTokenAt, TimeSpan lastTokenAt)
    {
        double seconds = (lastTokenAt - firstTokenAt).TotalSeconds;
        return generated < 2 || seconds <= 0
            ? "n/a"
            : string.Create(CultureInfo.InvariantCulture, $"{(generated - 1) / seconds:0.0} tokens/s");
    }

    private static InferenceState LoadState(EdgeInfiniteModel model, string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"state file '{path}' does not exist", path);
        }

        if (info.Length == 0)
        {
            // Pipes and devices report size 0 and are never opened (a FIFO would block).
            throw new InvalidDataException($"state file '{path}' is empty or not a regular file");
        }

        try
        {
            using var file = File.OpenRead(path);
            return model.LoadState(file);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"state file '{path}': {ex.Message}", ex);
        }
    }

    private static int[] ReadPrompt(EdgeInfiniteModel model, string? text, FileInfo? textFile, string? ids, FileInfo? idsFile, bool chat)
    {
        int given = (text is null ? 0 : 1) + (textFile is null ? 0 : 1) + (ids is null ? 0 : 1) + (idsFile is null ? 0 : 1);
        if (given != 1)
        {
            throw new CliUsageException("give exactly one of --prompt, --prompt-file, --prompt-ids, --prompt-ids-file");
        }

        if (ids is not null || idsFile is not null)
        {
            if (chat)
            {
                throw new CliUsageException("--chat applies to text prompts, not to token ids");
            }

            using var reader = ids is null ? new StreamReader(RequireFile(idsFile!)) : (TextReader)new StringReader(ids);
            return TokenIdParser.Parse(reader, ids is null ? idsFile!.FullName : "--prompt-ids", model.Config.Architecture.VocabSize);
        }

        string prompt = text ?? File.ReadAllText(RequireFile(textFile!));
        if (chat)
        {
            prompt = model.Tokenizer.ApplyChatTemplate([new ChatTemplateMessage("user", prompt)]);
        }

        var encoded = model.Tokenizer.Encode(prompt);
        return encoded.Length > 0 ? encoded : throw new CliUsageException("the prompt encodes to no tokens");
    }

    private static string RequireFile(FileInfo file) =>
        file.Exists ? file.FullName : throw new FileNotFoundException($"prompt file '{file.FullName}' does not exist", file.FullName);

    private static void WriteAtomically(string path, float[] logits) =>
        AtomicFile.Write(path, stream => stream.Write(MemoryMarshal.AsBytes(logits.AsSpan())));
}
