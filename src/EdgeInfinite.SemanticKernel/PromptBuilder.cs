using System.Text;
using EdgeInfinite.Onnx.Tokenization;
using EdgeInfinite.SemanticKernel.Tools;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel;

/// <summary>
/// Turns M.E.AI chat messages into the package's own chat template (DESIGN §5: never a hard-coded prompt format).
/// Assistant tool calls become <c>&lt;tool_call&gt;</c> text, tool results become <c>tool</c> messages. When the
/// template ignores tool definitions (it renders the same with and without them), the tools are described in the
/// system message instead and tool results are sent as <c>&lt;tool_response&gt;</c> user messages.
/// </summary>
internal sealed class PromptBuilder
{
    private readonly EdgeInfiniteTokenizer _tokenizer;
    private readonly Func<string, string?> _rawToolCall;
    private readonly Lazy<bool> _templateRendersTools;
    private readonly Lazy<string> _assistantHeader;

    /// <summary>Initializes a new instance of the <see cref="PromptBuilder"/> class.</summary>
    /// <param name="tokenizer">The package's tokenizer (chat template).</param>
    /// <param name="rawToolCall">Finds the text a tool call (by call id) was generated as, so it is re-rendered exactly; <see langword="null"/> always renders canonically.</param>
    public PromptBuilder(EdgeInfiniteTokenizer tokenizer, Func<string, string?>? rawToolCall = null)
    {
        _tokenizer = tokenizer;
        _rawToolCall = rawToolCall ?? (_ => null);
        _templateRendersTools = new Lazy<bool>(ProbeToolSupport, LazyThreadSafetyMode.ExecutionAndPublication);
        _assistantHeader = new Lazy<string>(ProbeAssistantHeader, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Gets the text the template puts before an assistant turn's content (the generation prompt, e.g.
    /// <c>&lt;|im_start|&gt;assistant\n</c>), or an empty string when it cannot be told.
    /// </summary>
    public string AssistantHeader => _assistantHeader.Value;

    /// <summary>Gets a value indicating whether the package's chat template renders tool definitions itself.</summary>
    public bool TemplateRendersTools => _templateRendersTools.Value;

    /// <summary>Renders the conversation.</summary>
    /// <param name="messages">The whole conversation.</param>
    /// <param name="instructions">Extra system instructions (<see cref="ChatOptions.Instructions"/>).</param>
    /// <param name="tools">The functions offered, if any.</param>
    /// <returns>The prompt text and the assistant contents as rendered (for token pinning).</returns>
    public RenderedPrompt Render(IReadOnlyList<ChatMessage> messages, string? instructions, IReadOnlyList<AIFunctionDeclaration> tools)
    {
        bool nativeTools = tools.Count == 0 || TemplateRendersTools;
        var list = new List<ChatTemplateMessage>();
        var assistantContents = new List<string>();
        foreach (var message in messages)
        {
            AddMessage(message, nativeTools, list, assistantContents);
        }

        string? system = instructions;
        if (tools.Count > 0 && !nativeTools)
        {
            system = string.IsNullOrEmpty(system) ? ToolCallFormat.ToolsSystemBlock(tools) : system + "\n\n" + ToolCallFormat.ToolsSystemBlock(tools);
        }

        if (!string.IsNullOrEmpty(system))
        {
            if (list.Count > 0 && list[0].Role == "system")
            {
                list[0] = list[0] with { Content = system + "\n\n" + list[0].Content };
            }
            else
            {
                list.Insert(0, new ChatTemplateMessage("system", system));
            }
        }

        string? toolsJson = tools.Count > 0 && nativeTools ? ToolCallFormat.ToolsJson(tools) : null;
        return new RenderedPrompt(_tokenizer.ApplyChatTemplate(list, addGenerationPrompt: true, toolsJson), assistantContents, AssistantHeader);
    }

    /// <summary>
    /// Renders an assistant message's content as the model would have written it: text as is, tool calls as the
    /// model generated them when known (by call id), otherwise in the canonical <c>&lt;tool_call&gt;</c> form.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <returns>The text.</returns>
    public string RenderAssistantContent(ChatMessage message)
    {
        var sb = new StringBuilder();
        foreach (var content in message.Contents)
        {
            switch (content)
            {
                case TextContent t:
                    sb.Append(t.Text);
                    break;
                case FunctionCallContent call:
                    sb.Append((call.CallId is { Length: > 0 } id ? _rawToolCall(id) : null) ?? ToolCallFormat.RenderCall(call));
                    break;
            }
        }

        return sb.ToString();
    }

    private void AddMessage(ChatMessage message, bool nativeTools, List<ChatTemplateMessage> list, List<string> assistantContents)
    {
        var results = message.Contents.OfType<FunctionResultContent>().ToList();
        foreach (var result in results)
        {
            string text = ToolCallFormat.RenderResult(result);
            list.Add(nativeTools
                ? new ChatTemplateMessage("tool", text)
                : new ChatTemplateMessage("user", $"<tool_response>\n{text}\n</tool_response>"));
        }

        if (message.Role == ChatRole.Assistant)
        {
            string content = RenderAssistantContent(message);
            if (content.Length > 0 || results.Count == 0)
            {
                list.Add(new ChatTemplateMessage("assistant", content));
                assistantContents.Add(content);
            }

            return;
        }

        string role = message.Role == ChatRole.Tool ? (nativeTools ? "tool" : "user") : message.Role.Value;
        string body = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
        if (body.Length > 0 || results.Count == 0)
        {
            list.Add(new ChatTemplateMessage(role, body));
        }
    }

    private string ProbeAssistantHeader()
    {
        ChatTemplateMessage[] probe = [new("user", "u")];
        try
        {
            string with = _tokenizer.ApplyChatTemplate(probe, true, null);
            string without = _tokenizer.ApplyChatTemplate(probe, false, null);
            return with.StartsWith(without, StringComparison.Ordinal) ? with[without.Length..] : string.Empty;
        }
        catch (InvalidOperationException)
        {
            return string.Empty;
        }
    }

    private bool ProbeToolSupport()
    {
        ChatTemplateMessage[] probe = [new("system", "s"), new("user", "u")];
        const string probeTools = """[{"type":"function","function":{"name":"edgeinfinite_probe_tool","description":"probe","parameters":{"type":"object","properties":{}}}}]""";
        try
        {
            return _tokenizer.ApplyChatTemplate(probe, true, probeTools) != _tokenizer.ApplyChatTemplate(probe, true, null);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
