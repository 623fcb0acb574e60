using EdgeInfinite.Cli.Tests;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Training.Cli.Tests;

public sealed class PretrainCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ei-cli-pretrain-" + Guid.NewGuid().ToString("N"));

    private static string[] TinyArgs(string output, int steps, params string[] extra) =>
    [
        "pretrain", "-o", output, "--seed", "3", "--steps", steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--seq-len", "64", "--batch", "2", "--vocab", "400", "--tokenizer-chars", "100000", "--corpus-tokens", "20000",
        "--hidden", "64", "--layers", "2", "--heads", "2", "--kv-heads", "1", "--intermediate", "128",
        "--window", "32", "--segment", "16", "--gate-steps", "2", "--gate-batch", "2", "--gate-segments", "6", "--gate-corpus-tokens", "10000",
        "--threads", "1", .. extra,
    ];

    [Fact]
    public void Pretrain_TinyConfigStoppedByTimeLimitThenResumed_WritesPackageThatAnswersInChatMlAndFinishesTheSchedule()
    {
        string output = Path.Combine(_root, "run");

        // A time limit that is used up at once: the base stops after at most one step, yet every later stage runs.
        var run = TrainingCliRun.Invoke(TinyArgs(output, 3, "--minutes", "0.000001"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        string package = Path.Combine(output, "package");
        Assert.Matches(@"base: step [01]/3 ", run.Stdout);
        Assert.Contains("stopped by the time limit", File.ReadAllText(Path.Combine(package, "MODEL_CARD.md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(package, "edgeinfinite.json")));
        string card = File.ReadAllText(Path.Combine(package, "MODEL_CARD.md"));
        Assert.Contains("--seed 3 --steps 3 --minutes 1E-06", card, StringComparison.Ordinal);
        Assert.Contains("S = 4, W = 32, L = 16", card, StringComparison.Ordinal);
        Assert.Contains("<|im_start|>", File.ReadAllText(Path.Combine(package, "tokenizer_config.json")), StringComparison.Ordinal);

        // The package loads in the engine and answers a chat prompt (rendered with its ChatML template).
        var chat = CliRun.Invoke("generate", package, "--prompt", "What is the code?", "--chat", "--max-new-tokens", "8", "--greedy", "--print-ids");
        Assert.True(chat.ExitCode == 0, chat.Stderr);
        var ids = chat.Stdout.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(ids.Length, 1, 8);

        // Resuming continues the base checkpoint to the end of the schedule.
        var resumed = TrainingCliRun.Invoke(TinyArgs(output, 3, "--resume"));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Contains("reusing tokenizer", resumed.Stderr, StringComparison.Ordinal);
        Assert.Contains("base: step 3/3", resumed.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"Ran steps [12]\.\.3 in this process", File.ReadAllText(Path.Combine(package, "MODEL_CARD.md")));

        // A different schedule does not silently mix with the checkpoint.
        var other = TrainingCliRun.Invoke(TinyArgs(output, 5, "--resume"));
        Assert.NotEqual(0, other.ExitCode);
        Assert.Contains("schedule length (steps) 3; this run has 5", other.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Pretrain_TinyInfiniRecipeWithLeadInCarriedMemoryFeatureScaleAndBaseAnswerWeight_CardDescribesThemAndItsCommandCarriesTheFlags()
    {
        string output = Path.Combine(_root, "infini");

        var run = TrainingCliRun.Invoke(TinyArgs(output, 2, "--recipe", "infini", "--long-steps", "2", "--long-segments", "6", "--long-batch", "2", "--long-corpus-tokens", "20000", "--long-lead-in", "--long-carry-memory", "3", "--feature-map", "Exponential", "--feature-scale", "3", "--base-answer-weight", "5"));

        Assert.True(run.ExitCode == 0, run.Stderr);
        string card = File.ReadAllText(Path.Combine(output, "package", "MODEL_CARD.md"));
        Assert.Contains("--feature-map Exponential --feature-scale 3", card, StringComparison.Ordinal);
        Assert.Contains("feature map Exponential (β = 3)", card, StringComparison.Ordinal);
        Assert.Equal(3, ModelPackage.Open(Path.Combine(output, "package")).Config.LongRoute.FeatureScale);
        Assert.Contains("--long-lead-in --long-carry-memory 3", card, StringComparison.Ordinal);
        Assert.Contains(" --base-answer-weight 5", card, StringComparison.Ordinal);
        Assert.Contains("the recalled values weigh 5, every other token 1", card, StringComparison.Ordinal);
        Assert.Contains("emptied every 3 steps (rows staggered: up to 2 earlier sequences in memory)", card, StringComparison.Ordinal);

        // The lead-in reaches the long sequence's length less two segments: 4 + 6 × 16 − 2 × 16 = 68 tokens.
        Assert.Contains("filler of up to 68 tokens less the distance", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Pretrain_InitFromAnotherRunsPackage_ContinuesItsBaseWithItsTokenizerAndTheCardSaysSo()
    {
        string first = Path.Combine(_root, "first"), second = Path.Combine(_root, "second");
        var made = TrainingCliRun.Invoke(TinyArgs(first, 2));
        Assert.True(made.ExitCode == 0, made.Stderr);
        string source = Path.Combine(first, "package");

        var run = TrainingCliRun.Invoke(TinyArgs(second, 2, "--corpus-style", "Varied", "--init", source));

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("starting from package 'edgeinfinite-tiny' base weights sha256 ", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(source, "tokenizer.json")), File.ReadAllText(Path.Combine(second, "package", "tokenizer.json")));
        string card = File.ReadAllText(Path.Combine(second, "package", "MODEL_CARD.md"));
        Assert.Contains(" --corpus-style Varied --init <package>", card, StringComparison.Ordinal);
        Assert.Contains("starting from the base of package 'edgeinfinite-tiny'", card, StringComparison.Ordinal);
        Assert.Contains("Tokenizer: the initial package's", card, StringComparison.Ordinal);
    }

    [Fact]
    public void Pretrain_InitPackageOfAnotherShape_FailsWithOneLineErrorNamingTheOption()
    {
        string first = Path.Combine(_root, "small");
        var made = TrainingCliRun.Invoke(TinyArgs(first, 1));
        Assert.True(made.ExitCode == 0, made.Stderr);
        var args = TinyArgs(Path.Combine(_root, "wide"), 1, "--init", Path.Combine(first, "package"));
        args[Array.IndexOf(args, "--intermediate") + 1] = "192";

        var run = TrainingCliRun.Invoke(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("the package has intermediate 128, --intermediate is 192", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--long-carry-memory", "-1", "--long-carry-memory must be in 0..100000, got -1")]
    [InlineData("--base-answer-weight", "0.5", "--base-answer-weight must be in 1..10000, got 0.5")]
    public void Pretrain_OptionOutOfRange_FailsWithOneLineErrorNamingTheOption(string option, string value, string error)
    {
        string output = Path.Combine(_root, "out-of-range");

        var run = TrainingCliRun.Invoke(TinyArgs(output, 1, "--recipe", "infini", option, value));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(error, run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(output, "package")));
    }

    [Fact]
    public void Pretrain_NonEmptyOutputWithoutResume_FailsWithOneLineError()
    {
        string output = Path.Combine(_root, "busy");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "x.txt"), "x");

        var run = TrainingCliRun.Invoke(TinyArgs(output, 1));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--resume", run.Error, StringComparison.Ordinal);
        Assert.Equal(["x.txt"], Directory.GetFiles(output).Select(Path.GetFileName));
    }

    [Fact]
    public void Pretrain_WindowNotMultipleOfSegment_FailsNamingBothOptions()
    {
        var args = TinyArgs(Path.Combine(_root, "w"), 1);
        args[Array.IndexOf(args, "--window") + 1] = "40";

        var run = TrainingCliRun.Invoke(args);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--window 40 must be a multiple of --segment 16", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("25")]
    public void Pretrain_LongGateBiasOutOfRange_FailsNamingTheOptionAndWritesNothing(string bias)
    {
        string output = Path.Combine(_root, "g");

        var run = TrainingCliRun.Invoke(TinyArgs(output, 1, "--recipe", "infini", "--long-gate-bias", bias));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--long-gate-bias must be in -20..20", run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    [Theory]
    [InlineData("--long-max-facts", "1", "--long-max-facts must be in 2..11, got 1")]
    [InlineData("--long-max-facts", "12", "--long-max-facts must be in 2..11, got 12")]
    [InlineData("--long-min-distance", "0", "--long-min-distance must be positive, got 0")]
    [InlineData("--feature-scale", "0", "--feature-scale must be in (0, 16], got 0")]
    [InlineData("--feature-scale", "17", "--feature-scale must be in (0, 16], got 17")]
    public void Pretrain_LongCorpusOptionOutOfRange_FailsNamingTheOptionAndWritesNothing(string option, string value, string message)
    {
        string output = Path.Combine(_root, "c");

        var run = TrainingCliRun.Invoke(TinyArgs(output, 1, "--recipe", "infini", option, value));

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any());
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
