using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// The tool-call pattern of the corpus (Hermes/Qwen format), written exactly as the Semantic Kernel connector renders a
/// request for a ChatML template that does not render tools itself: the tools described in the system message inside
/// <c>&lt;tools&gt;&lt;/tools&gt;</c>, the assistant's <c>&lt;tool_call&gt;{"name":...,"arguments":...}&lt;/tool_call&gt;</c>,
/// the tool's JSON result as a <c>&lt;tool_response&gt;</c> user message, then the answer. Function names vary
/// (bare, or with a plugin prefix as Semantic Kernel writes <c>Plugin_function</c>), so the model learns to copy the
/// name it was offered rather than one memorised name.
/// </summary>
public static class ToolCatalog
{
    private static readonly string[] s_weatherPrefixes = ["", "Weather_", "WeatherPlugin_", "Tools_", "City_"];
    private static readonly string[] s_timePrefixes = ["", "Clock_", "ClockPlugin_", "Tools_", "Time_"];

    /// <summary>Renders the system-message block that offers tools (the connector's text, byte for byte).</summary>
    /// <param name="functions">Each function's name, description, single string parameter and its description.</param>
    /// <returns>The block.</returns>
    public static string ToolsBlock(IEnumerable<(string Name, string Description, string Parameter, string ParameterDescription)> functions)
    {
        ArgumentNullException.ThrowIfNull(functions);
        var sb = new StringBuilder();
        sb.Append("# Tools\n\nYou may call one or more functions to assist with the user query.\n\n");
        sb.Append("You are provided with function signatures within <tools></tools> XML tags:\n<tools>");
        foreach (var f in functions)
        {
            sb.Append('\n').Append(Definition(f.Name, f.Description, f.Parameter, f.ParameterDescription).ToJsonString());
        }

        sb.Append("\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n");
        sb.Append("<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>");
        return sb.ToString();
    }

    /// <summary>Renders a call as the model writes it.</summary>
    /// <param name="name">The function name.</param>
    /// <param name="arguments">The arguments.</param>
    /// <returns>The <c>&lt;tool_call&gt;</c> text.</returns>
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

    /// <summary>Renders a tool result as the connector sends it to a template without tool support.</summary>
    /// <param name="result">The result text.</param>
    /// <returns>The user message content.</returns>
    public static string Response(string result) => "<tool_response>\n" + result + "\n</tool_response>";

    /// <summary>Draws one exchange: the tools offered, the user's question, the call, the tool's result and the answer.</summary>
    /// <param name="random">The random source.</param>
    /// <returns>The parts of the exchange.</returns>
    public static (string System, string User, string Call, string Result, string Answer) Exchange(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        string city = random.Pick(Lexicon.Values[ValueCategory.City]);
        var weather = (Name: random.Pick(s_weatherPrefixes) + "get_weather", Description: "Gets the current weather of a city.", Parameter: "city", ParameterDescription: "The city.");
        var time = (Name: random.Pick(s_timePrefixes) + "get_time", Description: "Gets the current time in a city.", Parameter: "city", ParameterDescription: "The city.");
        bool askWeather = random.Chance(0.5);
        var offered = random.Chance(0.3) ? [askWeather ? weather : time] : random.Chance(0.5) ? new[] { weather, time } : [time, weather];
        string system = ToolsBlock(offered);
        if (askWeather)
        {
            string condition = random.Pick(Lexicon.Weather);
            string degrees = Lexicon.NumberWords[random.Next(0, 20)];
            return (
                system,
                random.Chance(0.5) ? $"What is the weather like in {city}?" : $"Is it sunny in {city} today?",
                Call(weather.Name, new Dictionary<string, string> { ["city"] = city }),
                Json(new JsonObject { ["city"] = city, ["weather"] = condition, ["temperature"] = degrees }),
                $"It is {condition} in {city}, and the temperature is {degrees} degrees.");
        }

        string hour = Lexicon.NumberWords[random.Next(1, 12)];
        return (
            system,
            random.Chance(0.5) ? $"What time is it in {city}?" : $"Can you tell me the time in {city}?",
            Call(time.Name, new Dictionary<string, string> { ["city"] = city }),
            Json(new JsonObject { ["city"] = city, ["time"] = $"{hour} o'clock" }),
            $"It is {hour} o'clock in {city}.");
    }

    private static string Json(JsonObject value) => value.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>One function in the OpenAI/Qwen shape, its parameters as Semantic Kernel describes a string parameter.</summary>
    private static JsonObject Definition(string name, string description, string parameter, string parameterDescription) => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = name,
            ["description"] = description,
            ["parameters"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [parameter] = new JsonObject { ["description"] = parameterDescription, ["type"] = "string" } },
                ["required"] = new JsonArray(parameter),
            },
        },
    };
}
