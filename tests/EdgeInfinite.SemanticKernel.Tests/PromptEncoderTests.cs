using EdgeInfinite.SemanticKernel.Conversations;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Tests of <see cref="PromptEncoder"/> (splicing generated ids back into a prompt) with the real tokenizer.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class PromptEncoderTests(TinyChatPackage package)
{
    [Fact]
    public void Encode_NoRememberedResponses_EqualsPlainEncoding()
    {
        var builder = new PromptBuilder(package.Model.Tokenizer);
        var encoder = new PromptEncoder(package.Model.Tokenizer, 8);
        var prompt = builder.Render([new(ChatRole.User, "hi"), new(ChatRole.Assistant, "hello there"), new(ChatRole.User, "bye")], null, []);

        Assert.Equal(package.Model.Tokenizer.Encode(prompt.Text), encoder.Encode(prompt));
    }

    [Fact]
    public void Encode_RememberedResponseAlsoQuotedEarlier_SplicesAtTheAssistantTurn()
    {
        var tokenizer = package.Model.Tokenizer;
        var builder = new PromptBuilder(tokenizer);
        var encoder = new PromptEncoder(tokenizer, 8);
        int[] generated = [.. tokenizer.Encode("Y"), .. tokenizer.Encode("es")];
        encoder.RememberResponse("Yes", generated);
        var prompt = builder.Render([new(ChatRole.User, "Yes or no?"), new(ChatRole.Assistant, "Yes"), new(ChatRole.User, "Sure?")], null, []);

        int[] ids = encoder.Encode(prompt);

        Assert.Equal("<|im_start|>assistant\n", prompt.AssistantHeader);
        string before = "<|im_start|>user\nYes or no?<|im_end|>\n<|im_start|>assistant\n";
        string after = "<|im_end|>\n<|im_start|>user\nSure?<|im_end|>\n<|im_start|>assistant\n";
        Assert.Equal([.. tokenizer.Encode(before), .. generated, .. tokenizer.Encode(after)], ids);
        Assert.Equal(prompt.Text, before + "Yes" + after);
    }
}
