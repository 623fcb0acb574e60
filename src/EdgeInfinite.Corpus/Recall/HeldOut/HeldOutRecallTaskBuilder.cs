using System.Globalization;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Recall.HeldOut;

/// <summary>
/// Builds the held-out suite's recall prompts: the corpus's three shapes of recall (a fact in a document, a personal
/// fact in a conversation, several facts of which one is asked) worded with <see cref="HeldOutTemplates"/> and filled
/// with <see cref="HeldOutProse"/>, so neither the wording nor the filler is anything training has seen. Every fact is
/// said twice (statement and restatement or acknowledgement), as in the corpus. Not thread-safe.
/// </summary>
public sealed class HeldOutRecallTaskBuilder : IRecallTaskBuilder
{
    /// <summary>The facts stated in a <see cref="RecallTaskFormat.MultiFact"/> prompt.</summary>
    public const int MultiFactCount = 3;

    // The generic system prompt an application sends; it is not part of what the suite varies.
    private const string SystemPrompt = "You are a helpful assistant.";
    private readonly RecallPromptAssembler _assembler;

    /// <summary>Initializes a new instance of the <see cref="HeldOutRecallTaskBuilder"/> class.</summary>
    /// <param name="encode">The model's tokenizer (encodes text, special tokens included, adding nothing).</param>
    public HeldOutRecallTaskBuilder(Func<string, int[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        _assembler = new RecallPromptAssembler(encode);
    }

    /// <inheritdoc/>
    public IReadOnlyList<RecallTaskFormat> Formats { get; } = [RecallTaskFormat.Needle, RecallTaskFormat.Conversation, RecallTaskFormat.MultiFact];

    /// <inheritdoc/>
    public RecallTask Build(int length, double depth, RecallTaskFormat format, DeterministicRandom random, int answerTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(random);
        int budget = RecallPromptAssembler.Budget(length, depth, answerTokens);
        return format switch
        {
            RecallTaskFormat.Needle => BuildNeedle(length, budget, depth, random),
            RecallTaskFormat.Conversation => BuildFacts(length, budget, depth, random, 1),
            RecallTaskFormat.MultiFact => BuildFacts(length, budget, depth, random, MultiFactCount),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown recall format."),
        };
    }

    private RecallTask BuildNeedle(int length, int budget, double depth, DeterministicRandom random)
    {
        var needle = HeldOutTemplates.Needles[random.Pick(Enum.GetValues<ValueCategory>())];
        string value = random.Pick(Lexicon.Values[needle.Category]);
        string question = random.Pick(needle.Questions);
        string prefix = ChatMlTemplate.RenderMessage("system", SystemPrompt) + ChatMlTemplate.ImStart + "user\n" + HeldOutTemplates.DocumentInstruction + "\n\n";
        string suffix = "\n\n" + question + ChatMlTemplate.ImEnd + "\n" + ChatMlTemplate.GenerationPrompt;
        string fact = " " + Format(needle.Statement, value) + " " + Format(needle.Restatement, value);
        return _assembler.Assemble(length, budget, depth, RecallTaskFormat.Needle, prefix, suffix, fact, question, value, () => HeldOutProse.DocumentPiece(random));
    }

    private RecallTask BuildFacts(int length, int budget, double depth, DeterministicRandom random, int count)
    {
        var slots = random.PickDistinct(HeldOutTemplates.Slots, count);
        var values = Lexicon.DistinctValues(random, slots.Select(s => s.Category));

        int asked = random.Next(count);
        string question = random.Pick(slots[asked].Questions);
        string prefix = ChatMlTemplate.RenderMessage("system", SystemPrompt);
        string suffix = ChatMlTemplate.RenderMessage("user", question) + ChatMlTemplate.GenerationPrompt;
        string[] statements = slots.Select((s, i) => Format(random.Pick(s.Statements), values[i])).ToArray();
        string[] acks = slots.Select((s, i) => Format(s.Acknowledgement, values[i])).ToArray();
        string fact = count == 1
            ? ChatMlTemplate.RenderMessage("user", statements[0]) + ChatMlTemplate.RenderMessage("assistant", Format(random.Pick(HeldOutTemplates.AcknowledgementReplies), acks[0]))
            : ChatMlTemplate.RenderMessage("user", HeldOutTemplates.MultiFactOpening + " " + string.Join(' ', statements)) +
              ChatMlTemplate.RenderMessage("assistant", HeldOutTemplates.MultiFactReply + " " + string.Join("; ", acks) + ".");
        var format = count == 1 ? RecallTaskFormat.Conversation : RecallTaskFormat.MultiFact;
        return _assembler.Assemble(length, budget, depth, format, prefix, suffix, fact, question, values[asked], () =>
        {
            var (user, assistant) = HeldOutProse.Exchange(random);
            return ChatMlTemplate.RenderMessage("user", user) + ChatMlTemplate.RenderMessage("assistant", assistant);
        }, values);
    }

    private static string Format(string template, string value) => string.Format(CultureInfo.InvariantCulture, template, value);
}
