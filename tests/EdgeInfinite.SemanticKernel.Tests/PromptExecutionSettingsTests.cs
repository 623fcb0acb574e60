using System.Text.Json;
using Microsoft.SemanticKernel;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Tests of <see cref="EdgeInfinitePromptExecutionSettings"/>.</summary>
public sealed class PromptExecutionSettingsTests
{
    [Fact]
    public void JsonSerialization_AllSettings_UsesSnakeCaseAndRoundTrips()
    {
        var settings = new EdgeInfinitePromptExecutionSettings
        {
            ServiceId = "local",
            MaxTokens = 64,
            Temperature = 0.5f,
            TopP = 0.9f,
            TopK = 40,
            Seed = 7,
            StopSequences = ["END"],
            RepetitionPenalty = 1.1f,
            Route = "long",
            Memory = false,
        };

        string json = JsonSerializer.Serialize(settings);
        var back = JsonSerializer.Deserialize<EdgeInfinitePromptExecutionSettings>(json)!;

        foreach (string name in new[] { "\"max_tokens\":64", "\"temperature\":0.5", "\"top_p\":0.9", "\"top_k\":40", "\"seed\":7", "\"stop_sequences\":[\"END\"]", "\"repetition_penalty\":1.1", "\"route\":\"long\"", "\"memory\":false", "\"service_id\":\"local\"" })
        {
            Assert.Contains(name, json, StringComparison.Ordinal);
        }

        Assert.Equal(64, back.MaxTokens);
        Assert.Equal(0.5f, back.Temperature);
        Assert.Equal(0.9f, back.TopP);
        Assert.Equal(40, back.TopK);
        Assert.Equal(7, back.Seed);
        Assert.Equal(["END"], back.StopSequences!);
        Assert.Equal(1.1f, back.RepetitionPenalty);
        Assert.Equal("long", back.Route);
        Assert.False(back.Memory);
        Assert.Equal("local", back.ServiceId);
    }

    [Fact]
    public void FromExecutionSettings_Null_ReturnsDefaults()
    {
        var settings = EdgeInfinitePromptExecutionSettings.FromExecutionSettings(null);

        Assert.Null(settings.MaxTokens);
        Assert.Null(settings.Route);
    }

    [Fact]
    public void FromExecutionSettings_SameType_ReturnsSameInstance()
    {
        var settings = new EdgeInfinitePromptExecutionSettings { MaxTokens = 3 };

        Assert.Same(settings, EdgeInfinitePromptExecutionSettings.FromExecutionSettings(settings));
    }

    [Fact]
    public void FromExecutionSettings_BaseWithExtensionData_ReadsTypedValuesAndKeepsFunctionChoice()
    {
        var behavior = FunctionChoiceBehavior.Auto();
        var settings = new PromptExecutionSettings
        {
            ModelId = "tiny",
            FunctionChoiceBehavior = behavior,
            ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 5, ["top_p"] = "0.5", ["route"] = "short", ["memory"] = true, ["stop_sequences"] = new[] { "x" } },
        };

        var converted = EdgeInfinitePromptExecutionSettings.FromExecutionSettings(settings);

        Assert.Equal(5, converted.MaxTokens);
        Assert.Equal(0.5f, converted.TopP);
        Assert.Equal("short", converted.Route);
        Assert.True(converted.Memory);
        Assert.Equal(["x"], converted.StopSequences!);
        Assert.Equal("tiny", converted.ModelId);
        Assert.Same(behavior, converted.FunctionChoiceBehavior);
    }

    [Fact]
    public void FromExecutionSettings_ExtensionValueNaN_ThrowsArgumentExceptionNamingTheSettings()
    {
        var settings = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["temperature"] = double.NaN } };

        // Before: System.Text.Json's ".NET number values such as positive and negative infinity cannot be written as valid JSON" alone.
        var ex = Assert.Throws<ArgumentException>(() => EdgeInfinitePromptExecutionSettings.FromExecutionSettings(settings));

        Assert.StartsWith("The execution settings cannot be read as EdgeInfinite settings", ex.Message, StringComparison.Ordinal);
        Assert.Equal("executionSettings", ex.ParamName);
    }

    [Fact]
    public void FromExecutionSettings_AutoWithExplicitFunctions_KeepsTheBehaviorInstance()
    {
        var function = KernelFunctionFactory.CreateFromMethod(() => "x", "f");
        var behavior = FunctionChoiceBehavior.Auto([function]);
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = behavior, ExtensionData = new Dictionary<string, object> { ["temperature"] = 0.2 } };

        var converted = EdgeInfinitePromptExecutionSettings.FromExecutionSettings(settings);

        Assert.Same(behavior, converted.FunctionChoiceBehavior);
        Assert.Equal(0.2f, converted.Temperature);
    }

    [Fact]
    public void Freeze_ThenSet_ThrowsAndStopSequencesAreReadOnly()
    {
        var settings = new EdgeInfinitePromptExecutionSettings { MaxTokens = 5, StopSequences = ["a"] };

        settings.Freeze();

        Assert.True(settings.IsFrozen);
        Assert.Throws<InvalidOperationException>(() => settings.MaxTokens = 6);
        Assert.Throws<InvalidOperationException>(() => settings.Route = "long");
        Assert.Throws<NotSupportedException>(() => settings.StopSequences!.Add("b"));
    }

    [Fact]
    public void Clone_FrozenSettings_ReturnsEqualUnfrozenCopy()
    {
        var settings = new EdgeInfinitePromptExecutionSettings { ServiceId = "s", MaxTokens = 5, Temperature = 0, StopSequences = ["a"], Route = "long", Memory = false, FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        settings.Freeze();

        var clone = (EdgeInfinitePromptExecutionSettings)settings.Clone();
        clone.MaxTokens = 9;
        clone.StopSequences!.Add("b");

        Assert.False(clone.IsFrozen);
        Assert.Equal(5, settings.MaxTokens);
        Assert.Equal(["a"], settings.StopSequences!);
        Assert.Equal("s", clone.ServiceId);
        Assert.Equal(0f, clone.Temperature);
        Assert.Equal("long", clone.Route);
        Assert.False(clone.Memory);
        Assert.Same(settings.FunctionChoiceBehavior, clone.FunctionChoiceBehavior);
    }

    [Theory]
    [InlineData("max_tokens")]
    [InlineData("top_p")]
    [InlineData("temperature")]
    [InlineData("top_k")]
    [InlineData("route")]
    [InlineData("stop_sequences")]
    public void Validate_BadValue_ThrowsArgumentExceptionNamingTheSetting(string name)
    {
        var settings = name switch
        {
            "max_tokens" => new EdgeInfinitePromptExecutionSettings { MaxTokens = -1 },
            "top_p" => new EdgeInfinitePromptExecutionSettings { TopP = 0 },
            "temperature" => new EdgeInfinitePromptExecutionSettings { Temperature = float.NaN },
            "top_k" => new EdgeInfinitePromptExecutionSettings { TopK = -2 },
            "route" => new EdgeInfinitePromptExecutionSettings { Route = "medium" },
            _ => new EdgeInfinitePromptExecutionSettings { StopSequences = [""] },
        };

        var ex = Assert.ThrowsAny<ArgumentException>(settings.Validate);

        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }
}
