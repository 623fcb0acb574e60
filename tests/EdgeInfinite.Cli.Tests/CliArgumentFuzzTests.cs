using System.Globalization;

namespace EdgeInfinite.Cli.Tests;

/// <summary>
/// 40 seeded command lines with hostile option values: each ends with exit 0, or one <c>error:</c> line and exit 1, 2
/// or 130, never with an exception out of the CLI or a hang.
/// </summary>
public sealed class CliArgumentFuzzTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private static readonly string[] s_numbers = ["-1", "0", "1", "3", "2147483647", "-2147483648", "99999999999", "1e-38", "NaN", "Infinity", "-0", "abc", "", "0x10", "1,2"];

    public static TheoryData<int> Cases => Seeds(40);

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Run_HostileArguments_ExitCodeAndOneErrorLine(int seed)
    {
        var random = new Random(9000 + seed);
        string package = fixture.Package("llama");
        string canary = Path.Combine(fixture.Root, "canary.txt");
        File.WriteAllText(canary, "cli-canary-secret");
        var args = random.Next(4) switch
        {
            0 => Generate(random, package, canary),
            1 => ["inspect", Pick(random, [package, canary, "/", "/dev/null", fixture.Root, ""])],
            2 => ["inspect-state", Pick(random, [canary, "/dev/null", package, Path.Combine(fixture.Root, "missing.state")])],
            _ => ["convert", Pick(random, [CliFixture.FixtureDir("llama"), canary, "/"]), "-o", Path.Combine(fixture.Root, "fuzz-out-" + seed.ToString(CultureInfo.InvariantCulture)), .. Options(random, "--sink", "--window", "--segment", "--threshold", "--max-positions", "--feature-scale")],
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = await CliApp.RunAsync([.. args], stdout, stderr, cts.Token);

        Assert.True(code is 0 or 1 or 2 or 130, $"exit {code} for {string.Join(' ', args)}");
        if (code != 0)
        {
            Assert.Contains("error:", stderr.ToString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("cli-canary-secret", stderr.ToString() + stdout.ToString(), StringComparison.Ordinal);
    }

    private static List<string> Generate(Random random, string package, string canary)
    {
        var args = new List<string> { "generate", package, "--prompt-ids", Pick(random, ["1,2,3", "-1", "99999999999", "1,,2", "a", " "]) };
        args.AddRange(Options(random, "--max-new-tokens", "--temperature", "--top-k", "--top-p", "--repetition-penalty", "--threads", "--seed"));
        if (random.Next(3) == 0)
        {
            args.AddRange(["--load-state", Pick(random, [canary, "/dev/null", package])]);
        }

        if (random.Next(2) == 0)
        {
            args.AddRange(["--route", Pick(random, ["short", "long", "auto", "sideways"])]);
        }

        // Keep runs short: the budget is capped unless the route makes a huge one fail first.
        if (!args.Contains("--max-new-tokens"))
        {
            args.AddRange(["--max-new-tokens", "2"]);
        }
        else
        {
            int i = args.IndexOf("--max-new-tokens");
            if (long.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) && n > 4)
            {
                args.AddRange(["--route", "short"]);
            }
        }

        return args;
    }

    private static IEnumerable<string> Options(Random random, params string[] names)
    {
        foreach (string name in names)
        {
            if (random.Next(3) == 0)
            {
                yield return name;
                yield return Pick(random, s_numbers);
            }
        }
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    private static TheoryData<int> Seeds(int count)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < count; i++)
        {
            data.Add(i);
        }

        return data;
    }
}
