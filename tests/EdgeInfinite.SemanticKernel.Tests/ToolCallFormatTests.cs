using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>
/// A tool may return NaN or an infinity (0/0 in a calculator) and a call may carry one: both render into the prompt as
/// "NaN" / "Infinity" instead of throwing System.Text.Json's "… cannot be written as valid JSON" on every later request.
/// </summary>
public sealed class ToolCallFormatTests
{
    [Fact]
    public void RenderResult_NaN_RendersNamedLiteral()
    {
        Assert.Equal("\"NaN\"", ToolCallFormat.RenderResult(new FunctionResultContent("c1", double.NaN)));
    }

    [Fact]
    public void RenderCall_InfiniteArgument_RendersNamedLiteral()
    {
        string text = ToolCallFormat.RenderCall(new FunctionCallContent("c1", "divide", new Dictionary<string, object?> { ["x"] = double.NegativeInfinity, ["y"] = 2.5 }));

        Assert.Contains("\"x\":\"-Infinity\"", text, StringComparison.Ordinal);
        Assert.Contains("\"y\":2.5", text, StringComparison.Ordinal);
    }
}
