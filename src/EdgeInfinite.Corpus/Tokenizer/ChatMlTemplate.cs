namespace EdgeInfinite.Corpus.Tokenizer;

/// <summary>The ChatML chat template written into <c>tokenizer_config.json</c> and the matching renderer the corpus uses.</summary>
public static class ChatMlTemplate
{
    /// <summary>
    /// The Jinja template: every message, whatever its role (<c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>),
    /// as <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, then <c>&lt;|im_start|&gt;assistant\n</c> when a
    /// generation prompt is asked for.
    /// </summary>
    public const string Jinja =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>The start-of-turn token.</summary>
    public const string ImStart = "<|im_start|>";

    /// <summary>The end-of-turn token (the end-of-sequence token of chat models).</summary>
    public const string ImEnd = "<|im_end|>";

    /// <summary>The end-of-text token (separates documents).</summary>
    public const string EndOfText = "<|endoftext|>";

    /// <summary>Renders one message exactly as <see cref="Jinja"/> does.</summary>
    /// <param name="role">The role.</param>
    /// <param name="content">The content.</param>
    /// <returns>The ChatML text of the message.</returns>
    public static string RenderMessage(string role, string content) => ImStart + role + "\n" + content + ImEnd + "\n";

    /// <summary>The generation prompt (<c>&lt;|im_start|&gt;assistant\n</c>).</summary>
    public static string GenerationPrompt => ImStart + "assistant\n";
}
