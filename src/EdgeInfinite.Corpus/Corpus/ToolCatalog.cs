using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// The tool-call pattern (Hermes / Qwen format): tools described in the system message inside
/// <c>&lt;tools&gt;&lt;/tools&gt;</c>, the assistant's <c>&lt;tool_call&gt;{"name":...,"arguments":...}&lt;/tool_call&gt;</c>,
/// the tool's JSON result as a <c>tool</c> message, then the answer.
/// </summary>
public static class ToolCatalog
{
    /// <summary>Gets the tool definitions (OpenAI function schema) as a JSON array.</summary>
    public static string ToolsJson { get; } = new JsonArray(
        Function("get_weather", "Get the current weather in a city.", "city", "The city name."),
        Function("get_time", "Get the current time in a city.", "city", "The city name.")).ToJsonString();

    /// <summary>Gets the system message that offers the corpus's tools.</summary>
    public static string SystemPrompt { get; } = SystemPromptFor(ToolsJson);

    /// <summary>
    /// The system message that offers tools, in the corpus's wording: what a chat client should send so a model trained
    /// on this corpus calls its tools.
    /// </summary>
    /// <param name="toolsJson">The tool definitions as a JSON array (OpenAI function schema), compact.</param>
    /// <returns>The system message.</returns>
    public static string SystemPromptFor(string toolsJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(toolsJson);
        return "You are a helpful assistant. You can call these tools:\n<tools>\n" + toolsJson + "\n</tools>\n" +
            "To call a tool, reply with <tool_call>{\"name\": <tool name>, \"arguments\": <arguments object>}</tool_call>.";
    }

    /// <summary>The assistant's tool call text.</summary>
    /// <param name="name">The tool name.</param>
    /// <param name="arguments">The arguments (string values).</param>
    /// <returns>The text.</returns>
    public static string Call(string name, IReadOnlyDictionary<string, string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var args = new JsonObject();
        foreach (var (key, value) in arguments)
        {
            args[key] = value;
        }

        return "<tool_call>\n" + new JsonObject { ["name"] = name, ["arguments"] = args }.ToJsonString() + "\n</tool_call>";
    }

    /// <summary>Draws one tool exchange: the user question, the assistant's call, the tool result and the final answer.</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The four texts.</returns>
    public static (string User, string Call, string Result, string Answer) Exchange(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        string city = random.Pick(Lexicon.Values[ValueCategory.City]);
        if (random.Chance(0.5))
        {
            string weather = random.Pick(Lexicon.Weather);
            string degrees = Lexicon.NumberWords[random.Next(0, 20)];
            return (
                random.Chance(0.5) ? $"What is the weather like in {city}?" : $"Is it sunny in {city} today?",
                Call("get_weather", new Dictionary<string, string> { ["city"] = city }),
                Json(new JsonObject { ["city"] = city, ["weather"] = weather, ["temperature"] = degrees }),
                $"It is {weather} in {city}, and the temperature is {degrees} degrees.");
        }

        string hour = Lexicon.NumberWords[random.Next(1, 12)];
        return (
            random.Chance(0.5) ? $"What time is it in {city}?" : $"Can you tell me the time in {city}?",
            Call("get_time", new Dictionary<string, string> { ["city"] = city }),
            Json(new JsonObject { ["city"] = city, ["time"] = $"{hour} o'clock" }),
            $"It is {hour} o'clock in {city}.");
    }

    private static string Json(JsonObject value) => value.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    private static JsonObject Function(string name, string description, string parameter, string parameterDescription) => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["parameters"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [parameter] = new JsonObject { ["type"] = "string", ["description"] = parameterDescription } },
                ["required"] = new JsonArray(parameter),
            },
        },
    };
}
