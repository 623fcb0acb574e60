using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>
/// A hostile default-model copy meets the connector: a template bomb fails when the client is built (not on every
/// request) and quickly; a template that renders far more than its input fails the request with a named error.
/// </summary>
public sealed class UntrustedPackageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-untrusted-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Constructor_TemplateBomb_ThrowsNamingTheTemplateWithinTenSeconds()
    {
        string package = DefaultModelWithTemplate("{% for i in range(100000000) %}x{% endfor %}");
        var clock = Stopwatch.StartNew();

        var ex = Assert.Throws<InvalidDataException>(() => new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = package }));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("chat_template", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_TemplateOutputFarLargerThanInput_ThrowsNamingTheLimit()
    {
        string package = DefaultModelWithTemplate("{% for m in messages %}{% for i in range(2000) %}{{ m['content'] }}{% endfor %}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}");
        using var client = new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = package });

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => client.GetResponseAsync([new(ChatRole.User, new string('a', 600))], new ChatOptions { MaxOutputTokens = 1 }));

        Assert.Contains("rendered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_MaxOutputTokensIntMax_DoesNotOverflow()
    {
        using var client = new EdgeInfiniteChatClient(new EdgeInfiniteChatOptions { PackagePath = DefaultModelWithTemplate(null) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int updates = 0;

        // int.MaxValue new tokens routes long (the request does not fit the threshold) instead of wrapping negative.
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.User, "hi")], new ChatOptions { MaxOutputTokens = int.MaxValue, Temperature = 0 }, cts.Token))
        {
            if (++updates == 3)
            {
                break;
            }
        }

        Assert.Equal(3, updates);
    }

    private string DefaultModelWithTemplate(string? template)
    {
        string source = Path.Combine(AppContext.BaseDirectory, "models", "edgeinfinite-tiny");
        string target = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        if (template is not null)
        {
            string config = Path.Combine(target, "tokenizer_config.json");
            var root = JsonNode.Parse(File.ReadAllText(config))!;
            root["chat_template"] = template;
            File.WriteAllText(config, root.ToJsonString());
        }

        return target;
    }
}
