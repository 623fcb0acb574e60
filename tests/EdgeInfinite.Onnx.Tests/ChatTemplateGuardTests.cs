using System.Diagnostics;
using System.Text.Json.Nodes;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Onnx.Tests;

/// <summary>Chat templates whose cost is not bounded by the conversation are refused before native code renders them; real templates pass.</summary>
public sealed class ChatTemplateGuardTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edgeinfinite-template-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Theory]
    [InlineData("{% for i in range(100000000) %}x{% endfor %}", "100000000")]
    [InlineData("{% set n = 10 ** 9 %}{% for i in range(n) %}x{% endfor %}", "**")]
    [InlineData("{{ 'x' * 1000000000 }}", "1000000000")]
    [InlineData("{% for i in range(5000) %}{% for j in range(5000) %}x{% endfor %}{% endfor %}", "nested")]
    [InlineData("{% macro boom(n) %}{{ boom(n) }}{{ boom(n) }}{% endmacro %}{{ boom(1) }}", "calls itself")]
    [InlineData("{% for i in range(1e9) %}x{% endfor %}", "1e9")]
    public void Check_UnboundedTemplate_ThrowsNamingTheConstruct(string template, string culprit)
    {
        var ex = Assert.Throws<InvalidDataException>(() => ChatTemplateGuard.Check(template, "test"));

        Assert.Contains(culprit, ex.Message, StringComparison.Ordinal);
        Assert.Contains("chat template", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")]
    [InlineData("{%- for message in messages[::-1] %}{%- set index = (messages|length - 1) - loop.index0 %}{%- if ns.multi_step_tool and message.role == 'user' %}{%- set ns.last_query_index = index %}{%- endif %}{%- endfor %}")]
    [InlineData("{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}")]
    [InlineData("{% set date_string = '26 Jul 2024' %}{% for i in range(messages|length) %}{{ messages[i]['content'] }}{% endfor %}")]
    public void Check_RealTemplates_Pass(string template) => ChatTemplateGuard.Check(template, "test");

    [Fact]
    public void Check_TemplateLongerThanLimit_Throws()
    {
        var ex = Assert.Throws<InvalidDataException>(() => ChatTemplateGuard.Check(new string('x', ChatTemplateGuard.MaxTemplateChars + 1), "test"));

        Assert.Contains("characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenizer_TemplateBombPackage_FailsAtLoadWithinTenSeconds()
    {
        string dir = PackageWithTemplate("{% for i in range(100000000) %}x{% endfor %}");
        var clock = Stopwatch.StartNew();

        var ex = Assert.Throws<InvalidDataException>(() => new EdgeInfiniteTokenizer(dir));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("tokenizer_config.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("chat_template", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyChatTemplate_OutputFarLargerThanInput_ThrowsNamingTheLimit()
    {
        string dir = PackageWithTemplate("{% for m in messages %}{% for i in range(2000) %}{{ m['content'] }}{% endfor %}{% endfor %}");
        using var tokenizer = new EdgeInfiniteTokenizer(dir);

        var ex = Assert.Throws<InvalidDataException>(() => tokenizer.ApplyChatTemplate([new ChatTemplateMessage("user", new string('a', 600))]));

        Assert.Contains("rendered", ex.Message, StringComparison.Ordinal);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ApplyChatTemplate_SlowTemplate_StopsWaitingAtTheLimitAndRetiresTheTokenizer()
    {
        // Slow but silent: 1,000 messages × 10,000 iterations that write nothing, so the output limit (which a fast
        // machine reached first when every iteration wrote the message) cannot end the render before the time limit.
        string dir = PackageWithTemplate("{% for m in messages %}{% for i in range(10000) %}{% if m['content'] == 'never' %}x{% endif %}{% endfor %}{% endfor %}");
        using var tokenizer = new EdgeInfiniteTokenizer(dir) { RenderTimeout = TimeSpan.FromSeconds(1) };
        var messages = Enumerable.Range(0, 1000).Select(_ => new ChatTemplateMessage("user", "a")).ToArray();
        var clock = Stopwatch.StartNew();

        var ex = Assert.Throws<InvalidDataException>(() => tokenizer.ApplyChatTemplate(messages));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("did not finish rendering", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => tokenizer.Encode("hello"));
    }

    private string PackageWithTemplate(string template)
    {
        // The default model's tokenizer files (tokenizer.json, tokenizer_config.json, genai_config.json).
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (!Directory.Exists(Path.Combine(repo.FullName, "models", "edgeinfinite-tiny")))
        {
            repo = repo.Parent ?? throw new DirectoryNotFoundException("models/edgeinfinite-tiny not found above the test assembly");
        }

        string source = Path.Combine(repo.FullName, "models", "edgeinfinite-tiny");
        string dir = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json", "genai_config.json" })
        {
            File.Copy(Path.Combine(source, file), Path.Combine(dir, file));
        }

        string config = Path.Combine(dir, "tokenizer_config.json");
        var root = JsonNode.Parse(File.ReadAllText(config))!;
        root["chat_template"] = template;
        File.WriteAllText(config, root.ToJsonString());
        return dir;
    }
}
