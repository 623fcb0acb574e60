using System.Globalization;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Recall;

/// <summary>
/// Builds recall prompts of a given token length with the fact at a given depth, in the corpus's own formats (a needle
/// in a document, or a personal fact in a conversation), so a model trained on the corpus is asked the way it learned.
/// Filler is added piece by piece while it fits; the prompt plus the answer budget never exceeds the requested length.
/// Not thread-safe.
/// </summary>
public sealed class RecallTaskBuilder : IRecallTaskBuilder
{
    private const string SystemPrompt = "You are a helpful assistant.";
    private const string Instruction = "Read the document and answer the question after it.";
    private readonly RecallPromptAssembler _assembler;

    /// <summary>Initializes a new instance of the <see cref="RecallTaskBuilder"/> class.</summary>
    /// <param name="encode">The model's tokenizer (encodes text, special tokens included, adding nothing).</param>
    public RecallTaskBuilder(Func<string, int[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        _assembler = new RecallPromptAssembler(encode);
    }

    /// <inheritdoc/>
    public IReadOnlyList<RecallTaskFormat> Formats { get; } = [RecallTaskFormat.Needle, RecallTaskFormat.Conversation];

    /// <inheritdoc/>
    public RecallTask Build(int length, double depth, RecallTaskFormat format, DeterministicRandom random, int answerTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(random);
        int budget = RecallPromptAssembler.Budget(length, depth, answerTokens);
        return format switch
        {
            RecallTaskFormat.Needle => BuildNeedle(length, budget, depth, random),
            RecallTaskFormat.Conversation => BuildConversation(length, budget, depth, random),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "The corpus suite builds needle and conversation prompts only."),
        };
    }

    private RecallTask BuildNeedle(int length, int budget, double depth, DeterministicRandom random)
    {
        var category = random.Pick(Enum.GetValues<ValueCategory>());
        string value = random.Pick(Lexicon.Values[category]);
        string question = FactCatalog.NeedleQuestion(category);
        string prefix = ChatMlTemplate.RenderMessage("system", SystemPrompt) + ChatMlTemplate.ImStart + "user\n" + Instruction + "\n\n";
        string suffix = "\n\n" + question + ChatMlTemplate.ImEnd + "\n" + ChatMlTemplate.GenerationPrompt;
        string fact = " " + FactCatalog.Needle(category, value) + " " + FactCatalog.NeedleRepeat(category, value);
        return _assembler.Assemble(length, budget, depth, RecallTaskFormat.Needle, prefix, suffix, fact, question, value, () => " " + FillerGrammar.Sentence(random));
    }

    private RecallTask BuildConversation(int length, int budget, double depth, DeterministicRandom random)
    {
        var slot = random.Pick(FactCatalog.Slots);
        string value = random.Pick(Lexicon.Values[slot.Category]);
        string question = random.Pick(slot.Questions);
        string prefix = ChatMlTemplate.RenderMessage("system", SystemPrompt);
        string suffix = ChatMlTemplate.RenderMessage("user", question) + ChatMlTemplate.GenerationPrompt;
        string ack = string.Format(CultureInfo.InvariantCulture, slot.Acknowledgement, value);
        string fact = ChatMlTemplate.RenderMessage("user", string.Format(CultureInfo.InvariantCulture, slot.Statements[0], value)) +
            ChatMlTemplate.RenderMessage("assistant", $"Got it, {ack}.");
        return _assembler.Assemble(length, budget, depth, RecallTaskFormat.Conversation, prefix, suffix, fact, question, value, () =>
        {
            var (user, assistant) = FillerGrammar.Exchange(random);
            return ChatMlTemplate.RenderMessage("user", user) + ChatMlTemplate.RenderMessage("assistant", assistant);
        });
    }
}
