using System.Text.Json;

namespace EdgeInfinite.Cli.Tests;

public sealed class ConstrainedGenerateCommandTests(CliFixture fixture) : IClassFixture<CliFixture>
{
    private const string PersonSchema = """
        {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},"city":{"enum":["Paris","Tokyo"]}},
         "required":["name","age","city"],"additionalProperties":false}
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Generate_JsonSchemaSampled_StdoutIsAnInstanceOfTheSchema(int seed)
    {
        string schema = WriteFile("person.json", PersonSchema);

        var run = CliRun.Invoke("generate", DefaultModel(), "--chat", "--prompt", "Who am I?", "--json-schema", schema, "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--temperature", "1.5", "--max-new-tokens", "96");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var document = JsonDocument.Parse(run.Stdout.Trim());
        var root = document.RootElement;
        Assert.Equal(["age", "city", "name"], root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(JsonValueKind.String, root.GetProperty("name").ValueKind);
        Assert.True(root.GetProperty("age").TryGetInt32(out _), run.Stdout);
        Assert.Contains(root.GetProperty("city").GetString(), new[] { "Paris", "Tokyo" });
    }

    [Fact]
    public void Generate_Json_StdoutParsesAsOneJsonValue()
    {
        var run = CliRun.Invoke("generate", DefaultModel(), "--chat", "--prompt", "Hello!", "--json", "--seed", "7", "--max-new-tokens", "64");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var document = JsonDocument.Parse(run.Stdout.Trim());
        Assert.NotEqual(JsonValueKind.Undefined, document.RootElement.ValueKind);
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a+$"}""", "pattern")]
    [InlineData("""{"type":""", "not valid JSON")]
    public void Generate_UnsupportedOrMalformedSchema_OneLineErrorNamingTheFile(string schemaText, string expected)
    {
        string schema = WriteFile("bad-" + Guid.NewGuid().ToString("N") + ".json", schemaText);

        var run = CliRun.Invoke("generate", DefaultModel(), "--prompt", "Hi", "--json-schema", schema);

        Assert.Equal(1, run.ExitCode);
        Assert.NotNull(run.Error);
        Assert.Contains(expected, run.Error);
        Assert.Contains(schema, run.Error);
    }

    [Fact]
    public void Generate_JsonAndJsonSchemaTogether_UsageError()
    {
        string schema = WriteFile("person-usage.json", PersonSchema);

        var run = CliRun.Invoke("generate", DefaultModel(), "--prompt", "Hi", "--json", "--json-schema", schema);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("exclude each other", run.Error);
    }

    private static string DefaultModel()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(repo.FullName, "models", "edgeinfinite-tiny")))
        {
            repo = repo.Parent ?? throw new DirectoryNotFoundException("models/edgeinfinite-tiny not found above the test assembly");
        }

        return Path.Combine(repo.FullName, "models", "edgeinfinite-tiny");
    }

    private string WriteFile(string name, string text)
    {
        string path = Path.Combine(fixture.Root, name);
        File.WriteAllText(path, text);
        return path;
    }
}
