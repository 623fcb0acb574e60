using System.Globalization;
using System.Text;
using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Recall;

/// <summary>
/// Builds recall prompts of a given token length with the fact at a given depth, in the corpus's own formats (a needle
/// in a document, or a personal fact in a conversation), so a model trained on the corpus is asked the way it learned.
/// Filler is added piece by piece while it fits; the prompt plus the answer budget never exceeds the requested length.
/// Not thread-safe.
/// </summary>
public sealed class RecallTaskBuilder
{
    private const string SystemPrompt = "You are a helpful assistant.";
    private const string Instruction = "Read the document and answer the question after it.";
    private readonly Func<string, int[]> _encode;
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="RecallTaskBuilder"/> class.</summary>
    /// <param name="encode">The model's tokenizer (encodes text, special tokens included, adding nothing).</param>
    public RecallTaskBuilder(Func<string, int[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        _encode = encode;
    }

    /// <summary>Builds one prompt.</summary>
    /// <param name="length">The context length in tokens: prompt plus <paramref name="answerTokens"/>.</param>
    /// <param name="depth">The fact's position as a fraction of the filler, 0..1.</param>
    /// <param name="format">The prompt's shape.</param>
    /// <param name="random">The generator (fixes the value and the filler).</param>
    /// <param name="answerTokens">The tokens kept free for the answer.</param>
    /// <returns>The task.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The length cannot hold the fixed parts of the prompt.</exception>
    public RecallTask Build(int length, double depth, RecallTaskFormat format, DeterministicRandom random, int answerTokens = 4)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(answerTokens);
        if (double.IsNaN(depth) || depth < 0 || depth > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "Depth must be in 0..1.");
        }

        int budget = length - answerTokens;
        return format == RecallTaskFormat.Needle ? BuildNeedle(length, budget, depth, random) : BuildConversation(length, budget, depth, random);
    }

    private RecallTask BuildNeedle(int length, int budget, double depth, DeterministicRandom random)
    {
        var category = random.Pick(Enum.GetValues<ValueCategory>());
        string value = random.Pick(Lexicon.Values[category]);
        string question = FactCatalog.NeedleQuestion(category);
        string prefix = ChatMlTemplate.RenderMessage("system", SystemPrompt) + ChatMlTemplate.ImStart + "user\n" + Instruction + "\n\n";
        string suffix = "\n\n" + question + ChatMlTemplate.ImEnd + "\n" + ChatMlTemplate.GenerationPrompt;
        string fact = " " + FactCatalog.Needle(category, value) + " " + FactCatalog.NeedleRepeat(category, value);
        return Assemble(length, budget, depth, RecallTaskFormat.Needle, prefix, suffix, fact, question, value, () => " " + FillerGrammar.Sentence(random));
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
        return Assemble(length, budget, depth, RecallTaskFormat.Conversation, prefix, suffix, fact, question, value, () =>
        {
            var (user, assistant) = FillerGrammar.Exchange(random);
            return ChatMlTemplate.RenderMessage("user", user) + ChatMlTemplate.RenderMessage("assistant", assistant);
        });
    }

    private RecallTask Assemble(int length, int budget, double depth, RecallTaskFormat format, string prefix, string suffix, string fact, string question, string value, Func<string> nextFiller)
    {
        int fixedTokens = Count(prefix + suffix) + Count(fact);
        int room = budget - fixedTokens;
        if (room < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A {format.ToString().ToLowerInvariant()} recall prompt needs at least {fixedTokens + (length - budget)} tokens.");
        }

        var pieces = new List<string>();
        var counts = new List<int>();
        int total = 0;
        for (int misses = 0; misses < 8;)
        {
            string piece = nextFiller();
            int c = Count(piece);
            if (total + c > room)
            {
                misses++;
                continue;
            }

            pieces.Add(piece);
            counts.Add(c);
            total += c;
        }

        while (true)
        {
            int at = 0, before = 0;
            while (at < pieces.Count && before + counts[at] <= depth * total)
            {
                before += counts[at++];
            }

            var text = new StringBuilder(prefix);
            for (int i = 0; i < pieces.Count; i++)
            {
                if (i == at)
                {
                    text.Append(fact);
                }

                text.Append(pieces[i]);
            }

            if (at == pieces.Count)
            {
                text.Append(fact);
            }

            text.Append(suffix);
            string prompt = text.ToString();
            int[] ids = _encode(prompt);
            if (ids.Length <= budget || pieces.Count == 0)
            {
                return new RecallTask(length, depth, format, prompt, ids, Count(prefix) + before, question, value);
            }

            // Joined pieces can tokenize a little longer than counted apart: drop filler from the end until it fits.
            int over = ids.Length - budget;
            while (over > 0 && pieces.Count > 0)
            {
                over -= counts[^1];
                total -= counts[^1];
                pieces.RemoveAt(pieces.Count - 1);
                counts.RemoveAt(counts.Count - 1);
            }
        }
    }

    private int Count(string text)
    {
        if (!_counts.TryGetValue(text, out int count))
        {
            count = _encode(text).Length;
            if (_counts.Count < 100_000)
            {
                _counts[text] = count;
            }
        }

        return count;
    }
}
