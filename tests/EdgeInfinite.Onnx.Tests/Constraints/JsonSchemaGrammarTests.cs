using System.ComponentModel;
using System.Text.Json;
using EdgeInfinite.Onnx.Constraints;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.Onnx.Tests.Constraints;

public sealed class JsonSchemaGrammarTests
{
    public enum Mood
    {
        Calm,
        Angry,
    }

    private static JsonGrammar Schema(string json) => JsonGrammar.FromSchema(JsonDocument.Parse(json).RootElement);

    private static bool Matches(JsonGrammar grammar, string text)
    {
        var matcher = new GrammarMatcher(grammar, TestVocabularies.Mixed);
        return matcher.TryAccept(text) && matcher.IsComplete;
    }

    private static bool AcceptsPrefix(JsonGrammar grammar, string text) => new GrammarMatcher(grammar, TestVocabularies.Mixed).TryAccept(text);

    [Theory]
    [InlineData("""{"type":"string"}""", "\"x\"", "1")]
    [InlineData("""{"type":"integer"}""", "-42", "4.2")]
    [InlineData("""{"type":"integer"}""", "0", "1e3")]
    [InlineData("""{"type":"number"}""", "4.2e-1", "\"4\"")]
    [InlineData("""{"type":"number"}""", "7", "true")]
    [InlineData("""{"type":"boolean"}""", "false", "null")]
    [InlineData("""{"type":"null"}""", "null", "false")]
    [InlineData("""{"type":["string","null"]}""", "null", "0")]
    [InlineData("""{"type":["string","null"]}""", "\"s\"", "[]")]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""", "[1,2,3]", "[1,\"2\"]")]
    [InlineData("""{"type":"array","minItems":1,"maxItems":2}""", "[1,true]", "[]")]
    [InlineData("""{"type":"array","minItems":1,"maxItems":2}""", "[{}]", "[1,2,3]")]
    [InlineData("""{"enum":["Red","Green",null]}""", "\"Green\"", "\"Blue\"")]
    [InlineData("""{"enum":["Red","Green",null]}""", "null", "\"Gree\"")]
    [InlineData("""{"type":"string","enum":["a",1]}""", "\"a\"", "1")]
    [InlineData("""{"enum":[1,12,"x"]}""", "12", "2")]
    [InlineData("""{"const":{"k":[1]}}""", """{"k":[1]}""", """{"k":[2]}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["a"]}""", """{"b":"x","a":1}""", """{"b":"x"}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}}}""", "{}", """{"a":1,"a":2}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":false}""", """{"a":1}""", """{"c":1}""")]
    [InlineData("""{"type":"object","properties":{"ab":{"type":"integer"},"a":{"type":"boolean"}}}""", """{"a":true,"ab":2}""", """{"ab":true}""")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"integer"}}""", """{"x":1,"y":2}""", """{"x":"1"}""")]
    [InlineData("""{"type":"object","additionalProperties":false}""", "{}", """{"x":1}""")]
    [InlineData("""{"type":"object"}""", """{"any":[{"thing":null}]}""", "[]")]
    [InlineData("""{"description":"annotations only","title":"t","default":1,"$schema":"https://json-schema.org/draft/2020-12/schema"}""", "[1,{}]", "{")]
    [InlineData("""{"type":"string","format":"date-time"}""", "\"2024-01-01T00:00:00Z\"", "5")]
    [InlineData("""{"type":"object","properties":{"o":{"type":"object","properties":{"c":{"type":"string"}},"required":["c"]}},"required":["o"]}""", """{"o":{"c":"Paris"}}""", """{"o":{}}""")]
    public void FromSchema_Keyword_AcceptsInstanceAndRejectsNonInstance(string schema, string instance, string nonInstance)
    {
        var grammar = Schema(schema);

        Assert.True(Matches(grammar, instance), instance);
        Assert.False(Matches(grammar, nonInstance), nonInstance);
    }

    [Theory]
    [InlineData("""{"type":"string","pattern":"^a"}""", "pattern")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"integer"}]}""", "anyOf")]
    [InlineData("""{"oneOf":[{"type":"string"}]}""", "oneOf")]
    [InlineData("""{"allOf":[{"type":"string"}]}""", "allOf")]
    [InlineData("""{"$ref":"#/$defs/x","$defs":{"x":{}}}""", "$ref")]
    [InlineData("""{"type":"integer","minimum":1}""", "minimum")]
    [InlineData("""{"type":"integer","maximum":1}""", "maximum")]
    [InlineData("""{"type":"string","minLength":2}""", "minLength")]
    [InlineData("""{"type":"string","maxLength":2}""", "maxLength")]
    [InlineData("""{"type":"array","uniqueItems":true}""", "uniqueItems")]
    [InlineData("""{"type":"array","prefixItems":[{}]}""", "prefixItems")]
    [InlineData("""{"type":"object","patternProperties":{"a":{}}}""", "patternProperties")]
    [InlineData("""{"not":{}}""", "not")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string","multipleOf":2}}}""", "multipleOf")]
    public void FromSchema_UnsupportedKeyword_ThrowsNotSupportedNamingIt(string schema, string keyword)
    {
        var ex = Assert.Throws<NotSupportedException>(() => Schema(schema));

        Assert.Contains($"'{keyword}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"decimal"}""", "decimal")]
    [InlineData("""{"enum":[]}""", "enum")]
    [InlineData("""{"type":"array","minItems":-1}""", "minItems")]
    [InlineData("\"string\"", "String")]
    public void FromSchema_MalformedSchema_ThrowsArgumentException(string schema, string mentioned)
    {
        var ex = Assert.Throws<ArgumentException>(() => Schema(schema));

        Assert.Contains(mentioned, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSchema_RequiredNotDeclared_ThrowsNotSupported()
    {
        var ex = Assert.Throws<NotSupportedException>(() => Schema("""{"type":"object","required":["x"]}"""));
        Assert.Contains("'required'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromSchema_DotNetRecordSchema_AcceptsSerializedInstancesOnly()
    {
        var schema = AIJsonUtilities.CreateJsonSchema(typeof(Person));
        var grammar = JsonGrammar.FromSchema(schema);
        var person = new Person("Ana", 41, new Address("Oslo"), null, Mood.Angry, ["x", "y"], 1.5);

        var options = new JsonSerializerOptions(AIJsonUtilities.DefaultOptions) { WriteIndented = false, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never };
        string json = JsonSerializer.Serialize(person, options);

        Assert.True(Matches(grammar, json), json);
        Assert.False(Matches(grammar, json.Replace("\"Angry\"", "\"Happy\"", StringComparison.Ordinal)));
        Assert.False(Matches(grammar, json.Replace("41", "41.5", StringComparison.Ordinal)));
        Assert.False(AcceptsPrefix(grammar, "{\"unknown\""));
        Assert.False(Matches(grammar, "{\"name\":\"Ana\"}"));
    }

    [Fact]
    public void FromSchema_FunctionParameters_OptionalNullableEnum()
    {
        var function = AIFunctionFactory.Create(([Description("The city")] string city, int days, Mood? mood = null) => city, "forecast");
        var grammar = JsonGrammar.FromSchema(function.JsonSchema);

        Assert.True(Matches(grammar, """{"city":"Oslo","days":3}"""));
        Assert.True(Matches(grammar, """{"days":3,"mood":null,"city":"Oslo"}"""));
        Assert.True(Matches(grammar, """{"city":"Oslo","days":3,"mood":"Calm"}"""));
        Assert.False(Matches(grammar, """{"city":"Oslo"}"""));
        Assert.False(Matches(grammar, """{"city":"Oslo","days":3,"mood":"Sad"}"""));
    }

    [Fact]
    public void FromSchema_AllKeysUsed_CommaRejected()
    {
        var grammar = Schema("""{"type":"object","properties":{"a":{"type":"integer"}}}""");
        Assert.False(AcceptsPrefix(grammar, """{"a":1,"""));
    }

    [Fact]
    public void FromSchema_EscapedPropertyName_SpelledAsSerialized()
    {
        var grammar = Schema("""{"type":"object","properties":{"a\"b":{"type":"integer"}},"required":["a\"b"]}""");
        Assert.True(Matches(grammar, """{"a\"b":1}"""));
    }

    public sealed record Address(string City);

    public sealed record Person(string Name, int Age, Address Home, string? Nick, Mood Mood, string[] Tags, double Score);
}
