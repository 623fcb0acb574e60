namespace EdgeInfinite.Corpus.Corpus;

/// <summary>Filler text from a small grammar: plain sentences for documents and small-talk turns for conversations.</summary>
public static class FillerGrammar
{
    /// <summary>Draws one sentence (no leading space).</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The sentence.</returns>
    public static string Sentence(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var v = Lexicon.Values;
        return random.Next(8) switch
        {
            0 => $"The {random.Pick(Lexicon.Adjectives)} {random.Pick(Lexicon.Agents)} {random.Pick(Lexicon.VerbsOfMotion)} to the {random.Pick(Lexicon.Places)}.",
            1 => $"In the {random.Pick(Lexicon.Times)}, the {random.Pick(Lexicon.Agents)} {random.Pick(Lexicon.VerbsWithObject)} {Article(random.Pick(Lexicon.Adjectives), capital: false)} {random.Pick(Lexicon.Objects)}.",
            2 => $"{random.Pick(v[ValueCategory.Name])} {random.Pick(Lexicon.VerbsWithObject)} the {random.Pick(Lexicon.Objects)} near the {random.Pick(Lexicon.Places)}.",
            3 => $"The {random.Pick(Lexicon.Agents)} from {random.Pick(v[ValueCategory.City])} had {Article(random.Pick(v[ValueCategory.Colour]), capital: false)} {random.Pick(Lexicon.Objects)}.",
            4 => $"It was {Article(random.Pick(Lexicon.Adjectives), capital: false)} day in {random.Pick(v[ValueCategory.City])}.",
            5 => $"{random.Pick(v[ValueCategory.Name])} saw {Article(random.Pick(v[ValueCategory.Animal]), capital: false)} by the {random.Pick(Lexicon.Places)}.",
            6 => $"The {random.Pick(Lexicon.Agents)} ate {Article(random.Pick(v[ValueCategory.Fruit]), capital: false)} and counted to {random.Pick(v[ValueCategory.Number])}.",
            _ => $"{Article(random.Pick(Lexicon.Adjectives), capital: true)} {random.Pick(Lexicon.Agents)} {random.Pick(Lexicon.VerbsWithObject)} the {random.Pick(Lexicon.Objects)} in the {random.Pick(Lexicon.Times)}.",
        };
    }

    /// <summary>Draws a paragraph of <paramref name="sentences"/> sentences joined by spaces.</summary>
    /// <param name="random">The generator.</param>
    /// <param name="sentences">The number of sentences.</param>
    /// <returns>The paragraph.</returns>
    public static string Paragraph(DeterministicRandom random, int sentences) =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(_ => Sentence(random)));

    /// <summary>Draws one ordinary exchange (a user turn and the assistant's reply).</summary>
    /// <param name="random">The generator.</param>
    /// <param name="allowLong">Whether a multi-sentence reply (story, topic) may be drawn.</param>
    /// <returns>The user text and the assistant text.</returns>
    public static (string User, string Assistant) Exchange(DeterministicRandom random, bool allowLong = true)
    {
        ArgumentNullException.ThrowIfNull(random);
        int kind = random.Next(allowLong ? 8 : 6);
        switch (kind)
        {
            case 0:
                int a = random.Next(0, 10), b = random.Next(0, 10);
                return ($"What is {Lexicon.NumberWords[a]} plus {Lexicon.NumberWords[b]}?", FactCatalog.Answer(Lexicon.NumberWords[a + b]));
            case 1:
                var (country, capital) = random.Pick(Lexicon.Capitals);
                return ($"What is the capital of {country}?", $"{capital}. It is the capital of {country}.");
            case 2:
                var (thing, colour) = random.Pick(Lexicon.ThingColours);
                return ($"What colour is {thing}?", $"{colour}. The colour of {thing} is {colour}.");
            case 3:
                return random.Pick(s_greetings);
            case 4:
                return (random.Pick(s_thanks), random.Pick(s_thanksReplies));
            case 5:
                int n = random.Next(1, 9);
                return ($"What number comes after {Lexicon.NumberWords[n]}?", FactCatalog.Answer(Lexicon.NumberWords[n + 1]));
            case 6:
                return ($"Tell me about {random.Pick(Lexicon.Topics)}.", Paragraph(random, random.Next(2, 4)));
            default:
                return ("Tell me a short story.", Paragraph(random, random.Next(3, 6)));
        }
    }

    /// <summary>Gets the fixed turns of the small talk (greetings, thanks and their replies).</summary>
    internal static IEnumerable<string> FixedTurns => s_greetings.SelectMany(g => new[] { g.Item1, g.Item2 }).Concat(s_thanks).Concat(s_thanksReplies);

    private static string Article(string word, bool capital)
    {
        string article = "aeiouAEIOU".Contains(word[0], StringComparison.Ordinal) ? "an" : "a";
        return (capital ? char.ToUpperInvariant(article[0]) + article[1..] : article) + " " + word;
    }

    private static readonly (string, string)[] s_greetings =
    [
        ("Hello!", "Hello! How can I help you today?"),
        ("Hi, how are you?", "I am fine, thank you. How can I help?"),
        ("Good morning!", "Good morning! What can I do for you?"),
        ("Hey there.", "Hi! What would you like to talk about?"),
        ("Hello, can you help me?", "Of course. What do you need?"),
    ];
    private static readonly string[] s_thanks = ["Thank you.", "Thanks a lot!", "That is helpful, thanks."];
    private static readonly string[] s_thanksReplies = ["You are welcome.", "Happy to help!", "Any time."];
}
