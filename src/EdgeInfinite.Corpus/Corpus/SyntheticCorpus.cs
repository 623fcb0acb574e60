using System.Globalization;
using System.Text;
using EdgeInfinite.Corpus.Corpus.Varied;
using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// A deterministic synthetic corpus of ChatML conversations: personal facts given early and asked for much later,
/// needles in long documents, multi-fact recall, ordinary short exchanges and a tool-call pattern. Sample <c>i</c>
/// depends only on the options and <c>i</c> (its own <see cref="DeterministicRandom"/> stream), so samples can be
/// drawn in any order or in parallel. Thread-safe when the token counter is.
/// </summary>
public sealed class SyntheticCorpus
{
    private static readonly string[] s_systemPrompts =
    [
        "You are a helpful assistant.",
        "You are a friendly assistant with a good memory.",
        "You are a helpful assistant. Answer briefly.",
    ];

    private static readonly string[] s_acknowledgements = ["Got it, {0}.", "Thanks for telling me, {0}.", "I will remember that {0}.", "Noted: {0}."];

    private static readonly string[] s_documentInstructions =
    [
        "Read the document and answer the question after it.",
        "Here is a document. Answer the question at the end.",
        "Please read this text carefully, then answer the question.",
    ];

    private readonly CorpusOptions _options;
    private readonly bool _varied;
    private readonly TaskKind[] _kinds;
    private readonly double[] _cumulative;

    /// <summary>Initializes a new instance of the <see cref="SyntheticCorpus"/> class.</summary>
    /// <param name="options">The options.</param>
    public SyntheticCorpus(CorpusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        _varied = _options.Style == CorpusStyle.Varied;
        _kinds = Enum.GetValues<TaskKind>().Where(k => _options.KindWeights.GetValueOrDefault(k) > 0).ToArray();
        double total = _kinds.Sum(k => _options.KindWeights[k]);
        double running = 0;
        _cumulative = _kinds.Select(k => running += _options.KindWeights[k] / total).ToArray();
    }

    /// <summary>Gets the options.</summary>
    public CorpusOptions Options => _options.Clone();

    /// <summary>Gets every fixed wording of the corpus's recall samples (system prompts, acknowledgements, document instructions).</summary>
    internal static IEnumerable<string> FixedWordings => s_systemPrompts.Concat(s_acknowledgements).Concat(s_documentInstructions).Append("Some things about me.").Append("Got it.");

    /// <summary>Renders messages as ChatML, exactly as the tokenizer's chat template does (no generation prompt).</summary>
    /// <param name="messages">The messages.</param>
    /// <returns>The text.</returns>
    public static string Render(IEnumerable<ChatTemplateMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = new StringBuilder();
        foreach (var m in messages)
        {
            text.Append(ChatMlTemplate.RenderMessage(m.Role, m.Content));
        }

        return text.ToString();
    }

    /// <summary>The text of a sample in a training file: its ChatML followed by <c>&lt;|endoftext|&gt;</c> and a newline.</summary>
    /// <param name="sample">The sample.</param>
    /// <returns>The text.</returns>
    public static string ToTrainingText(CorpusSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return sample.Text + ChatMlTemplate.EndOfText + "\n";
    }

    /// <summary>Draws samples <paramref name="start"/> .. <paramref name="start"/> + <paramref name="count"/> − 1.</summary>
    /// <param name="count">How many.</param>
    /// <param name="start">The first index.</param>
    /// <returns>The samples, in index order.</returns>
    public IEnumerable<CorpusSample> Samples(long count, long start = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        for (long i = start; i < start + count; i++)
        {
            yield return Sample(i);
        }
    }

    /// <summary>Draws one sample.</summary>
    /// <param name="index">The sample index.</param>
    /// <returns>The sample.</returns>
    public CorpusSample Sample(long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = DeterministicRandom.ForItem(_options.Seed, index);
        double u = random.NextDouble();
        int k = Array.FindIndex(_cumulative, c => u < c);
        var kind = _kinds[k < 0 ? _kinds.Length - 1 : k];
        return Sample(index, kind, random);
    }

    /// <summary>Draws one sample of a given kind (for tests and targeted sets).</summary>
    /// <param name="index">The sample index.</param>
    /// <param name="kind">The kind.</param>
    /// <returns>The sample.</returns>
    public CorpusSample Sample(long index, TaskKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var random = DeterministicRandom.ForItem(_options.Seed, index);
        random.NextDouble();
        return Sample(index, kind, random);
    }

    private CorpusSample Sample(long index, TaskKind kind, DeterministicRandom random)
    {
        var messages = new List<ChatTemplateMessage>();
        var answers = new List<string>();
        var answerMessages = new List<int>();
        int distance = 0;
        switch (kind)
        {
            case TaskKind.FactRecall:
                distance = FactRecall(random, messages, answers, answerMessages, facts: 1);
                break;
            case TaskKind.MultiFactRecall:
                distance = FactRecall(random, messages, answers, answerMessages, facts: random.Next(2, _options.MaxFactsPerSample));
                break;
            case TaskKind.NeedleRetrieval:
                distance = Needle(random, messages, answers, answerMessages);
                break;
            case TaskKind.ShortExchange:
                MaybeSystem(random, messages);
                for (int i = random.Next(1, 3); i > 0; i--)
                {
                    AddExchange(messages, Exchange(random));
                }

                break;
            case TaskKind.ToolCall:
                ToolCall(random, messages, _varied);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown task kind.");
        }

        return new CorpusSample(index, kind, messages, Render(messages), distance, answers) { AnswerMessages = answerMessages };
    }

    private int DrawDistance(DeterministicRandom random)
    {
        double lo = Math.Log(_options.MinDistanceTokens), hi = Math.Log(_options.MaxDistanceTokens);
        return (int)Math.Round(Math.Exp(lo + ((hi - lo) * random.NextDouble())));
    }

    private static void MaybeSystem(DeterministicRandom random, List<ChatTemplateMessage> messages)
    {
        if (random.Chance(0.5))
        {
            messages.Add(new("system", random.Pick(s_systemPrompts)));
        }
    }

    private static void AddExchange(List<ChatTemplateMessage> messages, (string User, string Assistant) exchange)
    {
        messages.Add(new("user", exchange.User));
        messages.Add(new("assistant", exchange.Assistant));
    }

    /// <summary>Adds filler exchanges until they hold at least <paramref name="tokens"/> tokens; returns how many they hold.</summary>
    private int AddFiller(DeterministicRandom random, List<ChatTemplateMessage> messages, int tokens)
    {
        int counted = 0;
        while (counted < tokens)
        {
            AddExchange(messages, Exchange(random));
            counted += Count(messages[^2]) + Count(messages[^1]);
        }

        return counted;
    }

    private int Count(ChatTemplateMessage message) => _options.TokenCounter.CountTokens(ChatMlTemplate.RenderMessage(message.Role, message.Content));

    private int FactRecall(DeterministicRandom random, List<ChatTemplateMessage> messages, List<string> answers, List<int> answerMessages, int facts)
    {
        MaybeSystem(random, messages);
        int target = DrawDistance(random);
        var slots = random.PickDistinct(FactCatalog.Slots, facts);
        var values = Lexicon.DistinctValues(random, slots.Select(s => s.Category));

        // No draw at all without a lead-in: corpora made before the option existed stay the same.
        if (_options.LeadInTokens > target && random.Chance(0.5))
        {
            AddFiller(random, messages, random.Next(_options.LeadInTokens - target));
        }

        // Everything after the first statement counts towards the distance.
        int distance = 0;
        bool together = facts > 1 && random.Chance(0.5);
        if (together)
        {
            string statements = string.Join(' ', slots.Select((s, i) => string.Format(CultureInfo.InvariantCulture, Statement(random, s), values[i])));
            messages.Add(new("user", (_varied ? random.Pick(VariedPhrasebook.MultiFactOpenings) : "Some things about me.") + " " + statements));
            string opening = _varied ? random.Pick(VariedPhrasebook.MultiFactReplies) : "Got it.";
            string ack = opening + " " + string.Join(' ', slots.Select((s, i) => Capitalise(string.Format(CultureInfo.InvariantCulture, Acknowledgement(random, s), values[i])) + "."));
            messages.Add(new("assistant", ack));
            distance += Count(messages[^1]);
        }
        else
        {
            for (int i = 0; i < slots.Length; i++)
            {
                messages.Add(new("user", string.Format(CultureInfo.InvariantCulture, Statement(random, slots[i]), values[i])));
                if (i > 0)
                {
                    distance += Count(messages[^1]);
                }

                string ack = string.Format(CultureInfo.InvariantCulture, Acknowledgement(random, slots[i]), values[i]);
                string reply = _varied ? random.Pick([.. s_acknowledgements, .. VariedPhrasebook.AcknowledgementReplies]) : random.Pick(s_acknowledgements);
                messages.Add(new("assistant", string.Format(CultureInfo.InvariantCulture, reply, ack)));
                distance += Count(messages[^1]);
            }
        }

        distance += AddFiller(random, messages, target - distance);
        var order = random.PickDistinct(Enumerable.Range(0, slots.Length).ToArray(), slots.Length);
        for (int q = 0; q < order.Length; q++)
        {
            if (q > 0 && random.Chance(0.5))
            {
                AddExchange(messages, Exchange(random, allowLong: false));
            }

            int i = order[q];
            messages.Add(new("user", Question(random, slots[i])));
            answerMessages.Add(messages.Count);
            messages.Add(new("assistant", FactCatalog.Answer(values[i])));
            answers.Add(values[i]);
        }

        return distance;
    }

    private int Needle(DeterministicRandom random, List<ChatTemplateMessage> messages, List<string> answers, List<int> answerMessages)
    {
        MaybeSystem(random, messages);
        int target = DrawDistance(random);
        var category = random.Pick(Enum.GetValues<ValueCategory>());
        string value = random.Pick(Lexicon.Values[category]);
        var document = new StringBuilder();
        int before = (int)(target * random.NextDouble());
        int counted = 0;
        while (counted < before)
        {
            counted += AppendSentence(document, Sentence(random));
        }

        AppendSentence(document, _varied ? VariedPhrasebook.Needle(random.Pick(["The secret {1} is {0}.", .. VariedPhrasebook.NeedleStatements]), category, value) : FactCatalog.Needle(category, value));
        int distance = 0;
        for (int r = 0; r < _options.NeedleRepeats; r++)
        {
            distance += AppendSentence(document, _varied ? VariedPhrasebook.Needle(random.Pick(["Remember it: the secret {1} is {0}.", .. VariedPhrasebook.NeedleRestatements]), category, value) : FactCatalog.NeedleRepeat(category, value));
        }

        while (distance < target)
        {
            distance += AppendSentence(document, Sentence(random));
        }

        string question = _varied ? VariedPhrasebook.Needle(random.Pick(["What is the secret {1}?", .. VariedPhrasebook.NeedleQuestions]), category, value) : FactCatalog.NeedleQuestion(category);
        distance += _options.TokenCounter.CountTokens("\n\n" + question);
        string instruction = _varied ? random.Pick([.. s_documentInstructions, .. VariedPhrasebook.DocumentInstructions]) : random.Pick(s_documentInstructions);
        messages.Add(new("user", instruction + "\n\n" + document + "\n\n" + question));
        answerMessages.Add(messages.Count);
        messages.Add(new("assistant", FactCatalog.Answer(value)));
        answers.Add(value);
        return distance;
    }

    private int AppendSentence(StringBuilder document, string sentence)
    {
        string piece = document.Length == 0 ? sentence : " " + sentence;
        document.Append(piece);
        return _options.TokenCounter.CountTokens(piece);
    }

    private static void ToolCall(DeterministicRandom random, List<ChatTemplateMessage> messages, bool varied)
    {
        var (system, user, call, result, answer) = ToolCatalog.Exchange(random);
        messages.Add(new("system", system));
        if (random.Chance(0.3))
        {
            AddExchange(messages, varied ? VariedFiller.Exchange(random, allowLong: false) : FillerGrammar.Exchange(random, allowLong: false));
        }

        messages.Add(new("user", user));
        messages.Add(new("assistant", call));
        messages.Add(new("user", ToolCatalog.Response(result)));
        messages.Add(new("assistant", answer));
        if (random.Chance(0.25))
        {
            // A question that needs no tool, answered directly.
            AddExchange(messages, varied ? VariedFiller.Exchange(random, allowLong: false) : FillerGrammar.Exchange(random, allowLong: false));
        }
    }

    // The template style draws exactly what it always did (its corpus is pinned); the varied style draws from more wordings.
    private string Statement(DeterministicRandom random, FactSlot slot) => random.Pick(_varied ? VariedPhrasebook.For(slot).Statements : slot.Statements);

    private string Question(DeterministicRandom random, FactSlot slot) => random.Pick(_varied ? VariedPhrasebook.For(slot).Questions : slot.Questions);

    private string Acknowledgement(DeterministicRandom random, FactSlot slot) => _varied ? random.Pick(VariedPhrasebook.For(slot).Acknowledgements) : slot.Acknowledgement;

    private string Sentence(DeterministicRandom random) => _varied ? VariedFiller.Sentence(random) : FillerGrammar.Sentence(random);

    private (string User, string Assistant) Exchange(DeterministicRandom random, bool allowLong = true) => _varied ? VariedFiller.Exchange(random, allowLong) : FillerGrammar.Exchange(random, allowLong);

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
