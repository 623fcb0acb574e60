using System.Text.Json;
using EdgeInfinite.SemanticKernel.Tools;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Tests of <see cref="ToolCallParser"/> on plain strings.</summary>
public sealed class ToolCallParserTests
{
    [Fact]
    public void Push_TextWithoutTags_EmitsAllTextAtOnce()
    {
        var parser = new ToolCallParser();

        var segments = parser.Push("Hello, world.");

        Assert.Equal("Hello, world.", Assert.Single(segments).Text);
        Assert.Empty(parser.Flush());
    }

    [Fact]
    public void Push_CallSplitAcrossPieces_HoldsBackTagAndReturnsOneCall()
    {
        var parser = new ToolCallParser();
        var all = new List<ToolCallSegment>();

        foreach (string piece in new[] { "Let me check. <to", "ol_ca", "ll>\n{\"name\": \"get_weather\", ", "\"arguments\": {\"city\": \"Oslo\", \"days\": 3}}\n</tool", "_call> done" })
        {
            all.AddRange(parser.Push(piece));
        }

        all.AddRange(parser.Flush());
        Assert.Equal(3, all.Count);
        Assert.Equal("Let me check. ", all[0].Text);
        var call = all[1].Call!;
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Oslo", ((JsonElement)call.Arguments["city"]!).GetString());
        Assert.Equal(3, ((JsonElement)call.Arguments["days"]!).GetInt32());
        Assert.Equal(" done", all[2].Text);
    }

    [Fact]
    public void Push_PartialTagThatIsNotATag_EmitsTextOnceDecided()
    {
        var parser = new ToolCallParser();

        var first = parser.Push("a <tool");
        var second = parser.Push("box> b");

        Assert.Equal("a ", Assert.Single(first).Text);
        Assert.Equal("<toolbox> b", Assert.Single(second).Text);
    }

    [Fact]
    public void Push_TwoCalls_ReturnsBothInOrder()
    {
        var parser = new ToolCallParser();

        var segments = parser.Push("<tool_call>{\"name\":\"a\",\"arguments\":{}}</tool_call>\n<tool_call>{\"name\":\"b\",\"arguments\":{\"x\":1}}</tool_call>");

        Assert.Equal(["a", "b"], segments.Where(s => s.Call is not null).Select(s => s.Call!.Name));
        Assert.Equal("\n", segments[1].Text);
    }

    [Theory]
    [InlineData("<tool_call>{not json}</tool_call>")]
    [InlineData("<tool_call>{\"arguments\":{}}</tool_call>")]
    [InlineData("<tool_call>{\"name\":\"\",\"arguments\":{}}</tool_call>")]
    [InlineData("<tool_call>{\"name\":\"f\",\"arguments\":[1,2]}</tool_call>")]
    [InlineData("<tool_call>[\"f\"]</tool_call>")]
    public void Push_MalformedCall_ReturnsTheRawTextUnchanged(string text)
    {
        var parser = new ToolCallParser();

        var segments = parser.Push(text).Concat(parser.Flush()).ToList();

        Assert.All(segments, s => Assert.Null(s.Call));
        Assert.Equal(text, string.Concat(segments.Select(s => s.Text)));
    }

    [Fact]
    public void Flush_UnterminatedValidCall_ReturnsTheCall()
    {
        var parser = new ToolCallParser();

        Assert.Empty(parser.Push("<tool_call>\n{\"name\": \"now\", \"arguments\": {}}\n"));
        var segments = parser.Flush();

        Assert.Equal("now", Assert.Single(segments).Call!.Name);
    }

    [Fact]
    public void Flush_UnterminatedGarbage_ReturnsTextWithTag()
    {
        var parser = new ToolCallParser();

        parser.Push("x<tool_call>{\"name\": \"no");
        var segments = parser.Flush();

        Assert.Equal("<tool_call>{\"name\": \"no", Assert.Single(segments).Text);
    }

    [Fact]
    public void TryParse_ArgumentsAsJsonString_ParsesTheInnerObject()
    {
        bool ok = ToolCallParser.TryParse("{\"name\":\"f\",\"arguments\":\"{\\\"q\\\": \\\"x\\\"}\"}", out var call);

        Assert.True(ok);
        Assert.Equal("x", ((JsonElement)call!.Arguments["q"]!).GetString());
    }
}
