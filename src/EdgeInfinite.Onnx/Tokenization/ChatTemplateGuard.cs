using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeInfinite.Onnx.Packaging;

namespace EdgeInfinite.Onnx.Tokenization;

/// <summary>
/// Bounds what a package's chat template can cost before ONNX Runtime GenAI (native code that cannot be interrupted)
/// ever renders it. A template is code from the package's author; real chat templates loop over the messages and the
/// tools, so their cost follows the conversation. The guard refuses, by a conservative static reading of the Jinja
/// code, the constructs whose cost does not: number literals above <see cref="MaxLiteral"/> (<c>range(100000000)</c>,
/// <c>'x' * 10**9</c>), the power operator, a <c>range</c> loop inside another <c>range</c> loop, recursive macros, and
/// templates longer than <see cref="MaxTemplateChars"/>. Rendering itself then runs under a time limit and its output
/// under a size limit (<see cref="EdgeInfiniteTokenizer.ApplyChatTemplate"/>).
/// </summary>
public static partial class ChatTemplateGuard
{
    /// <summary>The largest number literal a template may contain (real templates use 0, 1, 2 and −1).</summary>
    public const long MaxLiteral = 10_000;

    /// <summary>The longest template accepted (real ones are 0.2–20 KB).</summary>
    public const int MaxTemplateChars = 256 * 1024;

    /// <summary>Reads the templates of a tokenizer folder (<c>tokenizer_config.json</c>'s <c>chat_template</c>, <c>chat_template.jinja</c>) and checks them.</summary>
    /// <param name="directory">The folder.</param>
    /// <exception cref="InvalidDataException">A template is unreadable or uses a construct whose cost is unbounded; the message names the file and the construct.</exception>
    public static void CheckFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string config = Path.Combine(directory, "tokenizer_config.json");
        if (File.Exists(config))
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(UntrustedFile.ReadAllBytes(config, 16 << 20, "tokenizer_config.json"));
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"'{config}' is not valid JSON: {ex.Message}", ex);
            }

            using (doc)
            {
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("chat_template", out var template))
                {
                    foreach (var (name, text) in Templates(template, config))
                    {
                        Check(text, $"'{config}' {name}");
                    }
                }
            }
        }

        string jinja = Path.Combine(directory, "chat_template.jinja");
        if (File.Exists(jinja))
        {
            Check(System.Text.Encoding.UTF8.GetString(UntrustedFile.ReadAllBytes(jinja, MaxTemplateChars * 4L, "chat_template.jinja")), $"'{jinja}'");
        }
    }

    /// <summary>Checks one template's code.</summary>
    /// <param name="template">The Jinja source.</param>
    /// <param name="source">Where it came from, for messages.</param>
    /// <exception cref="InvalidDataException">The template is too long or uses a construct whose cost is unbounded.</exception>
    public static void Check(string template, string source)
    {
        ArgumentNullException.ThrowIfNull(template);
        if (template.Length > MaxTemplateChars)
        {
            throw Refuse(source, $"it has {template.Length:N0} characters, more than {MaxTemplateChars:N0}");
        }

        var rangeLoops = new Stack<bool>();
        var macros = new Stack<string>();
        foreach (Match tag in CodeRegex().Matches(template))
        {
            string code = StringRegex().Replace(tag.Groups["code"].Value, "''");
            foreach (Match number in NumberRegex().Matches(code))
            {
                if (!double.TryParse(number.Value.Replace("_", string.Empty, StringComparison.Ordinal), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value) || Math.Abs(value) > MaxLiteral)
                {
                    throw Refuse(source, $"the number {number.Value} is larger than {MaxLiteral:N0} (loops and repetitions must follow the conversation, not constants)");
                }
            }

            if (code.Contains("**", StringComparison.Ordinal))
            {
                throw Refuse(source, "it uses the power operator **");
            }

            foreach (string macro in macros)
            {
                if (Regex.IsMatch(code, $@"\b{Regex.Escape(macro)}\s*\("))
                {
                    throw Refuse(source, $"macro '{macro}' calls itself");
                }
            }

            if (tag.Groups["open"].Value != "{%")
            {
                continue;
            }

            string statement = code.Trim().TrimStart('-', '+').TrimEnd('-', '+').Trim();
            string keyword = statement.Split((char[])[' ', '\t', '\r', '\n', '('], 2)[0];
            switch (keyword)
            {
                case "for":
                    bool range = RangeRegex().IsMatch(statement);
                    if (range && rangeLoops.Contains(true))
                    {
                        throw Refuse(source, "a range(...) loop is nested in another range(...) loop");
                    }

                    rangeLoops.Push(range);
                    break;
                case "endfor":
                    if (rangeLoops.Count > 0)
                    {
                        rangeLoops.Pop();
                    }

                    break;
                case "macro":
                    macros.Push(statement["macro".Length..].Trim().Split('(', 2)[0].Trim());
                    break;
                case "endmacro":
                    if (macros.Count > 0)
                    {
                        macros.Pop();
                    }

                    break;
            }
        }
    }

    private static IEnumerable<(string Name, string Text)> Templates(JsonElement template, string config)
    {
        if (template.ValueKind == JsonValueKind.String)
        {
            yield return ("chat_template", template.GetString()!);
        }
        else if (template.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var item in template.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("template", out var t) || t.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"'{config}': chat_template[{i}] must be an object with a string 'template'.");
                }

                yield return ($"chat_template[{i}]", t.GetString()!);
                i++;
            }
        }
        else if (template.ValueKind != JsonValueKind.Null)
        {
            throw new InvalidDataException($"'{config}': chat_template must be a string or a list of named templates.");
        }
    }

    private static InvalidDataException Refuse(string source, string why) =>
        new($"{source}: the chat template is refused because its cost would not be bounded by the conversation: {why}.");

    [GeneratedRegex(@"(?<open>\{%|\{\{)(?<code>.*?)(?:%\}|\}\})", RegexOptions.Singleline)]
    private static partial Regex CodeRegex();

    [GeneratedRegex(@"'(?:[^'\\]|\\.)*'|""(?:[^""\\]|\\.)*""", RegexOptions.Singleline)]
    private static partial Regex StringRegex();

    [GeneratedRegex(@"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?")]
    private static partial Regex NumberRegex();

    [GeneratedRegex(@"\brange\s*\(")]
    private static partial Regex RangeRegex();
}
