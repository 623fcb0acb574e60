using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Tests;

/// <summary>Parses ChatML text strictly: only whole <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> blocks.</summary>
public static class ChatMlParser
{
    private static readonly HashSet<string> s_roles = ["system", "user", "assistant", "tool"];

    public static List<ChatTemplateMessage> Parse(string text)
    {
        var messages = new List<ChatTemplateMessage>();
        int at = 0;
        while (at < text.Length)
        {
            Assert.True(string.CompareOrdinal(text, at, "<|im_start|>", 0, 12) == 0, $"expected <|im_start|> at {at}");
            at += 12;
            int newline = text.IndexOf('\n', at);
            Assert.True(newline > at, "role line");
            string role = text[at..newline];
            Assert.Contains(role, s_roles);
            int end = text.IndexOf("<|im_end|>\n", newline, StringComparison.Ordinal);
            Assert.True(end >= 0, "unterminated message");
            string content = text[(newline + 1)..end];
            Assert.DoesNotContain("<|im_start|>", content, StringComparison.Ordinal);
            Assert.DoesNotContain("<|endoftext|>", content, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(content), "empty content");
            messages.Add(new ChatTemplateMessage(role, content));
            at = end + "<|im_end|>\n".Length;
        }

        return messages;
    }
}
