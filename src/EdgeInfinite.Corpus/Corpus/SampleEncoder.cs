using EdgeInfinite.Corpus.Tokenizer;
using EdgeInfinite.Onnx.Tokenization;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// Turns corpus samples into training sequences: ids plus a mask of the tokens to learn (every assistant message's
/// content and its closing <c>&lt;|im_end|&gt;</c>). Messages are encoded one piece at a time; because the ChatML
/// special tokens cut pre-tokenization, the concatenation equals encoding the whole text. Thread-safe.
/// </summary>
public sealed class SampleEncoder
{
    private readonly Func<string, int[]> _encode;
    private readonly int _imStart;
    private readonly int _imEnd;
    private readonly int _endOfText;

    /// <summary>Initializes a new instance of the <see cref="SampleEncoder"/> class.</summary>
    /// <param name="tokenizer">The tokenizer (with the ChatML added tokens).</param>
    public SampleEncoder(BpeTokenizer tokenizer)
        : this(NotNull(tokenizer).Encode, content => Id(tokenizer, content))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="SampleEncoder"/> class over a package's own tokenizer (ONNX Runtime GenAI).</summary>
    /// <param name="tokenizer">The package's tokenizer; each ChatML marker must encode to one token.</param>
    /// <exception cref="ArgumentException">A ChatML marker is not one token of this tokenizer.</exception>
    public SampleEncoder(EdgeInfiniteTokenizer tokenizer)
        : this(NotNull(tokenizer).Encode, content => Id(tokenizer, content))
    {
    }

    // Both tokenizers differ only in how text is encoded and how a ChatML marker's id is found.
    private SampleEncoder(Func<string, int[]> encode, Func<string, int> markerId)
    {
        _encode = encode;
        _imStart = markerId(ChatMlTemplate.ImStart);
        _imEnd = markerId(ChatMlTemplate.ImEnd);
        _endOfText = markerId(ChatMlTemplate.EndOfText);
    }

    /// <summary>Encodes a sample as <see cref="SyntheticCorpus.ToTrainingText"/> writes it.</summary>
    /// <param name="sample">The sample.</param>
    /// <returns>The ids, the loss mask and the recall answers' mask.</returns>
    public EncodedSample Encode(CorpusSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return Encode(sample.Messages, sample.AnswerMessages);
    }

    /// <summary>Encodes ChatML messages followed by <c>&lt;|endoftext|&gt;</c> and a newline, as a training file holds them.</summary>
    /// <param name="messages">The messages.</param>
    /// <param name="answerMessages">The indices in <paramref name="messages"/> of assistant messages that answer a recall question (none for text that is not from the corpus).</param>
    /// <returns>The ids, the loss mask and the recall answers' mask.</returns>
    public EncodedSample Encode(IReadOnlyList<ChatTemplateMessage> messages, IEnumerable<int> answerMessages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(answerMessages);
        var ids = new List<int>();
        var targets = new List<bool>();
        var answers = new List<bool>();
        var answerSet = answerMessages.ToHashSet();
        for (int m = 0; m < messages.Count; m++)
        {
            var message = messages[m];
            bool learn = message.Role == "assistant";
            Add([_imStart], false);
            Add(_encode(message.Role + "\n"), false);
            Add(_encode(message.Content), learn, learn && answerSet.Contains(m));
            Add([_imEnd], learn);
            Add(_encode("\n"), false);
        }

        Add([_endOfText], false);
        Add(_encode("\n"), false);
        return new EncodedSample([.. ids], [.. targets], [.. answers]);

        void Add(int[] piece, bool learn, bool answer = false)
        {
            ids.AddRange(piece);
            targets.AddRange(Enumerable.Repeat(learn, piece.Length));
            answers.AddRange(Enumerable.Repeat(answer, piece.Length));
        }
    }

    private static T NotNull<T>(T tokenizer)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer;
    }

    private static int Id(BpeTokenizer tokenizer, string content) =>
        tokenizer.Model.AddedTokens.FirstOrDefault(t => t.Content == content)?.Id
        ?? throw new ArgumentException($"The tokenizer has no added token '{content}'.", nameof(tokenizer));

    private static int Id(EdgeInfiniteTokenizer tokenizer, string content) =>
        tokenizer.Encode(content) is [int id]
            ? id
            : throw new ArgumentException($"The tokenizer has no single token for '{content}' (a ChatML tokenizer is needed).", nameof(tokenizer));
}
