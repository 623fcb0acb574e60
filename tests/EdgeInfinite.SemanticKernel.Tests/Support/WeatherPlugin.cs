using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;

namespace EdgeInfinite.SemanticKernel.Tests.Support;

/// <summary>The weather tool the way an app writes it: a plugin whose result is JSON; remembers the cities asked for.</summary>
public sealed class WeatherPlugin
{
    public List<string> Cities { get; } = [];

    [KernelFunction("get_weather")]
    [Description("Gets the current weather of a city.")]
    public string GetWeather([Description("The city.")] string city)
    {
        Cities.Add(city);
        return new JsonObject { ["city"] = city, ["weather"] = "windy", ["temperature"] = "twelve" }.ToJsonString();
    }
}
