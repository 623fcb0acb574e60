using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests;

public sealed class ToolNameResolverTests
{
    private static AIFunctionDeclaration F(string name) => AIFunctionFactory.Create(() => "x", name);

    [Theory]
    [InlineData("WeatherPlugin_get_weather", "WeatherPlugin_get_weather")]
    [InlineData("Weather_get_weather", "WeatherPlugin_get_weather")]
    [InlineData("get_weather", "WeatherPlugin_get_weather")]
    [InlineData("get_time", "Clock_get_time")]
    [InlineData("send_mail", "send_mail")]
    [InlineData("Weather_get_forecast", "Weather_get_forecast")]
    public void Resolve_CalledName_MapsToTheOneOfferedFunctionItMatches(string called, string expected)
    {
        var offered = new[] { F("WeatherPlugin_get_weather"), F("Clock_get_time") };

        Assert.Equal(expected, ToolNameResolver.Resolve(called, offered));
    }

    [Fact]
    public void Resolve_TwoOfferedFunctionsMatch_LeavesTheNameAsCalled()
    {
        var offered = new[] { F("Weather_get_weather"), F("Forecast_get_weather") };

        Assert.Equal("Other_get_weather", ToolNameResolver.Resolve("Other_get_weather", offered));
    }
}
