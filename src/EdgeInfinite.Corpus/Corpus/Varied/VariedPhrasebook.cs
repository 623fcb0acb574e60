using System.Globalization;

namespace EdgeInfinite.Corpus.Corpus.Varied;

/// <summary>
/// The wording of the varied corpus (<see cref="CorpusStyle.Varied"/>): for every fact slot, needle, acknowledgement
/// and document instruction the template corpus's wording plus several paraphrases, with the value at the start, in
/// the middle or at the end of the sentence. Kept apart from the held-out recall suite's wording (a test checks it).
/// </summary>
public static class VariedPhrasebook
{
    private static readonly Dictionary<string, (string[] Statements, string[] Questions, string[] Acknowledgements)> s_extra = new(StringComparer.Ordinal)
    {
        ["pet-name"] = (["I named my pet {0}.", "{0} is my pet's name.", "Our pet is called {0}.", "The pet at home is named {0}."], ["Do you know my pet's name?", "What did I name my pet?", "What is our pet called?", "Tell me what my pet is called."], ["your pet is called {0}", "{0} is your pet's name"]),
        ["sister"] = (["{0} is my sister.", "My sister goes by the name {0}.", "I have a sister named {0}.", "Everyone calls my sister {0}."], ["Who is my sister?", "What do people call my sister?", "Tell me my sister's name.", "Do you know what my sister is called?"], ["your sister's name is {0}", "{0} is your sister"]),
        ["friend"] = (["{0} is my best friend.", "My best friend's name is {0}.", "I am best friends with {0}.", "Of all my friends, {0} is the best."], ["What is my best friend's name?", "Who did I say was my best friend?", "Tell me who my best friend is.", "Do you know my best friend's name?"], ["your best friend is called {0}", "{0} is your best friend"]),
        ["colour"] = (["{0} is my favourite colour.", "The colour I love most is {0}.", "I always choose {0} as my colour.", "My most loved colour is {0}."], ["Do you know my favourite colour?", "Which colour do I love most?", "Tell me my favourite colour.", "What colour did I say was my favourite?"], ["{0} is your favourite colour", "the colour you love most is {0}"]),
        ["car"] = (["{0} is the colour of my car.", "I drive a car that is {0}.", "The car I own is {0}.", "My car has a {0} colour."], ["What is the colour of my car?", "Which colour does the car I own have?", "Tell me what colour my car is.", "Do you know the colour of my car?"], ["{0} is the colour of your car", "the car you own is {0}"]),
        ["animal"] = (["{0} is my favourite animal.", "The animal I love most is the {0}.", "My favourite kind of animal is the {0}.", "I like the {0} best of all animals."], ["Do you know my favourite animal?", "Which animal do I love most?", "Tell me my favourite animal.", "What animal did I say was my favourite?"], ["the {0} is your favourite animal", "the animal you love most is the {0}"]),
        ["home"] = (["{0} is where I live.", "I live in the city of {0}.", "These days I live in {0}.", "My house is in {0}."], ["Where do I live?", "What city is home for me?", "Tell me the city where I live.", "In what city do I live?"], ["your home is in {0}", "{0} is where you live"]),
        ["born"] = (["{0} is where I was born.", "I was born in the city of {0}.", "My place of birth is {0}.", "The city where I was born is {0}."], ["In which city was I born?", "Where is my place of birth?", "Tell me where I was born.", "What city was I born in?"], ["{0} is where you were born", "your place of birth is {0}"]),
        ["lucky"] = (["{0} is my lucky number.", "My lucky number is the number {0}.", "I think {0} is a lucky number for me.", "The lucky number for me is {0}."], ["Which number is my lucky number?", "Tell me my lucky number.", "Do you know my lucky number?", "What number did I say was lucky for me?"], ["{0} is your lucky number", "the lucky number for you is {0}"]),
        ["cousins"] = (["I have {0} cousins in all.", "In my family I have {0} cousins.", "I have a total of {0} cousins.", "My cousins number {0} in all."], ["How many cousins have I got?", "Tell me how many cousins I have.", "What number of cousins do I have?", "Do you know how many cousins I have?"], ["{0} is the number of your cousins", "you have {0} cousins in all"]),
        ["fruit"] = (["The fruit I love most is the {0}.", "I like the {0} more than any other fruit.", "My favourite kind of fruit is the {0}.", "I never go a day without the {0}."], ["Which fruit is it that I love most?", "Tell me my favourite fruit.", "Do you know my favourite fruit?", "What fruit did I say was my favourite?"], ["the {0} is your favourite fruit", "the fruit you love most is the {0}"]),
    };

    /// <summary>Gets the extra needle statements; <c>{0}</c> is the value, <c>{1}</c> the category's noun.</summary>
    public static IReadOnlyList<string> NeedleStatements { get; } = ["{0} is the secret {1}.", "Here is the secret {1}: {0}.", "Note that the secret {1} is {0}.", "The hidden {1} in this text is {0}."];

    /// <summary>Gets the extra needle restatements; <c>{0}</c> is the value, <c>{1}</c> the category's noun.</summary>
    public static IReadOnlyList<string> NeedleRestatements { get; } = ["Again, the secret {1} is {0}.", "Do not forget: {0}.", "So the {1} to remember is {0}."];

    /// <summary>Gets the extra needle questions; <c>{1}</c> is the category's noun.</summary>
    public static IReadOnlyList<string> NeedleQuestions { get; } = ["Which {1} is the secret one?", "Tell me the secret {1}.", "What was the secret {1} in the text?", "Can you name the secret {1}?"];

    /// <summary>Gets the extra replies to a stated fact; <c>{0}</c> is the slot's acknowledgement.</summary>
    public static IReadOnlyList<string> AcknowledgementReplies { get; } = ["OK, {0}.", "Sure, I will not forget that {0}.", "Good to know: {0}.", "All right, {0}."];

    /// <summary>Gets the extra document instructions.</summary>
    public static IReadOnlyList<string> DocumentInstructions { get; } = ["Answer the question below from the text.", "The following text holds a fact. Read it and reply.", "Look through this document, then reply to what is asked at the end."];

    /// <summary>Gets the openings of a user turn that states several facts.</summary>
    public static IReadOnlyList<string> MultiFactOpenings { get; } = ["Some things about me.", "Here are a few facts about me.", "Let me tell you some things.", "A little about me:"];

    /// <summary>Gets the openings of the assistant's reply to several facts.</summary>
    public static IReadOnlyList<string> MultiFactReplies { get; } = ["Got it.", "Thanks, I have them all.", "OK, all noted."];

    /// <summary>The phrasings of a slot: its own statements, questions and acknowledgement, then the paraphrases.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The phrasings.</returns>
    public static VariedFactPhrasing For(FactSlot slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var extra = s_extra.TryGetValue(slot.Key, out var e) ? e : throw new ArgumentException($"No varied phrasings for fact slot '{slot.Key}'.", nameof(slot));
        return new VariedFactPhrasing([.. slot.Statements, .. extra.Statements], [.. slot.Questions, .. extra.Questions], [slot.Acknowledgement, .. extra.Acknowledgements]);
    }

    /// <summary>Renders a needle template for a category and value.</summary>
    /// <param name="template">The template (<c>{0}</c> value, <c>{1}</c> noun).</param>
    /// <param name="category">The category.</param>
    /// <param name="value">The value.</param>
    /// <returns>The sentence.</returns>
    public static string Needle(string template, ValueCategory category, string value) =>
        string.Format(CultureInfo.InvariantCulture, template, value, FactCatalog.NeedleNouns[category]);

    /// <summary>Every template of the varied corpus beyond the template corpus's own, needles rendered for each noun with the value left as <c>{0}</c> (for disjointness checks).</summary>
    public static IEnumerable<string> All =>
        s_extra.Values.SelectMany(e => e.Statements.Concat(e.Questions).Concat(e.Acknowledgements))
            .Concat(NeedleStatements.Concat(NeedleRestatements).Concat(NeedleQuestions).SelectMany(t => FactCatalog.NeedleNouns.Keys.Select(c => Needle(t, c, "{0}"))))
            .Concat(AcknowledgementReplies).Concat(DocumentInstructions).Concat(MultiFactOpenings).Concat(MultiFactReplies);
}
