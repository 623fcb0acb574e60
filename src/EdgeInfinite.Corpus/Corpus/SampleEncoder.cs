using EdgeInfinite.Corpus.Tokenizer;

namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// Turns corpus samples into training sequences: ids plus a mask of the tokens to learn (every assistant message's
/// content and its closing <c>&lt;|im_end|&gt;</c>). Messages are encoded one piece at a time; because the ChatML
/// special tokens cut pre-tokenization, the concatenation equals encoding the whole text. Thread-safe.
/// </summary>
public sealed class SampleEncoder
{
    private readonly BpeTokenizer _tokenizer;
    private readonly int _imStart;
    private readonly int _imEnd;
    private readonly int _endOfText;

    /// <summary>Initializes a new instance of the <see cref="SampleEncoder"/> class.</summary>
    /// <param name="tokenizer">The tokenizer (with the ChatML added tokens).</param>
    public SampleEncoder(BpeTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _imStart = Id(ChatMlTemplate.ImStart);
        _imEnd = Id(ChatMlTemplate.ImEnd);
        _endOfText = Id(ChatMlTemplate.EndOfText);
    }

    /// <summary>Encodes a sample as <see cref="SyntheticCorpus.ToTrainingText"/> writes it.</summary>
    /// <param name="sample">The sample.</param>
    /// <returns>The ids, the loss mask and the recall answers' mask.</returns>
    public EncodedSample Encode(CorpusSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var ids = new List<int>();
        var targets = new List<bool>();
        var answers = new List<bool>();
        var answerMessages = sample.AnswerMessages.ToHashSet();
        for (int m = 0; m < sample.Messages.Count; m++)
        {
            var message = sample.Messages[m];
            bool learn = message.Role == "assistant";
            Add([_imStart], false);
            Add(_tokenizer.Encode(message.Role + "\n"), false);
            Add(_tokenizer.Encode(message.Content), learn, learn && answerMessages.Contains(m));
            Add([_imEnd], learn);
            Add(_tokenizer.Encode("\n"), false);
        }

        Add([_endOfText], false);
        Add(_tokenizer.Encode("\n"), false);
        return new EncodedSample([.. ids], [.. targets], [.. answers]);

        void Add(int[] piece, bool learn, bool answer = false)
        {
            ids.AddRange(piece);
            targets.AddRange(Enumerable.Repeat(learn, piece.Length));
            answers.AddRange(Enumerable.Repeat(answer, piece.Length));
        }
    }

    private int Id(string content) =>
        _tokenizer.Model.AddedTokens.FirstOrDefault(t => t.Content == content)?.Id
        ?? throw new ArgumentException($"The tokenizer has no added token '{content}'.", "tokenizer");
}
