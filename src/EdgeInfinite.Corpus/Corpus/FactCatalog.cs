namespace EdgeInfinite.Corpus.Corpus;

/// <summary>The personal facts of <see cref="TaskKind.FactRecall"/> and <see cref="TaskKind.MultiFactRecall"/>, and the needles of <see cref="TaskKind.NeedleRetrieval"/>.</summary>
public static class FactCatalog
{
    /// <summary>Gets the fact slots (keys are distinct; a sample never uses a slot twice).</summary>
    public static IReadOnlyList<FactSlot> Slots { get; } =
    [
        new("pet-name", ValueCategory.Name, ["My pet's name is {0}.", "I have a pet called {0}."], ["What did I tell you my pet's name was?", "What is my pet's name?"], "your pet's name is {0}"),
        new("sister", ValueCategory.Name, ["My sister is called {0}.", "My sister's name is {0}."], ["What is my sister's name?", "What did I say my sister was called?"], "your sister is called {0}"),
        new("friend", ValueCategory.Name, ["My best friend is {0}.", "My best friend is called {0}."], ["Who is my best friend?", "What did I tell you my best friend was called?"], "your best friend is {0}"),
        new("colour", ValueCategory.Colour, ["My favourite colour is {0}.", "I like the colour {0} the most."], ["What is my favourite colour?", "Which colour did I say I like the most?"], "your favourite colour is {0}"),
        new("car", ValueCategory.Colour, ["My car is {0}.", "My car is painted {0}."], ["What colour is my car?", "What did I tell you about the colour of my car?"], "your car is {0}"),
        new("animal", ValueCategory.Animal, ["My favourite animal is the {0}.", "I love the {0} more than any other animal."], ["What is my favourite animal?", "Which animal did I say I love the most?"], "your favourite animal is the {0}"),
        new("home", ValueCategory.City, ["I live in {0}.", "My home is in {0}."], ["Which city do I live in?", "Where did I tell you I live?"], "you live in {0}"),
        new("born", ValueCategory.City, ["I was born in {0}.", "My home town is {0}."], ["Where was I born?", "Which city did I say I was born in?"], "you were born in {0}"),
        new("lucky", ValueCategory.Number, ["My lucky number is {0}.", "The number {0} is my lucky number."], ["What is my lucky number?", "What did I tell you my lucky number was?"], "your lucky number is {0}"),
        new("cousins", ValueCategory.Number, ["I have {0} cousins.", "The number of cousins I have is {0}."], ["How many cousins do I have?", "How many cousins did I say I have?"], "you have {0} cousins"),
        new("fruit", ValueCategory.Fruit, ["My favourite fruit is the {0}.", "I eat one {0} every day."], ["What is my favourite fruit?", "Which fruit did I say I eat every day?"], "your favourite fruit is the {0}"),
    ];

    /// <summary>Gets the noun a needle of each category names (<c>The secret city is Paris.</c>).</summary>
    public static IReadOnlyDictionary<ValueCategory, string> NeedleNouns { get; } = new Dictionary<ValueCategory, string>
    {
        [ValueCategory.Name] = "name",
        [ValueCategory.Colour] = "colour",
        [ValueCategory.Animal] = "animal",
        [ValueCategory.City] = "city",
        [ValueCategory.Number] = "number",
        [ValueCategory.Fruit] = "fruit",
    };

    /// <summary>The needle sentence.</summary>
    /// <param name="category">The category.</param>
    /// <param name="value">The value.</param>
    /// <returns>The sentence.</returns>
    public static string Needle(ValueCategory category, string value) => $"The secret {NeedleNouns[category]} is {value}.";

    /// <summary>The needle's repetition (said right after the needle).</summary>
    /// <param name="category">The category.</param>
    /// <param name="value">The value.</param>
    /// <returns>The sentence.</returns>
    public static string NeedleRepeat(ValueCategory category, string value) => $"Remember it: the secret {NeedleNouns[category]} is {value}.";

    /// <summary>The question about a needle.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The question.</returns>
    public static string NeedleQuestion(ValueCategory category) => $"What is the secret {NeedleNouns[category]}?";

    /// <summary>The answer to a recall question: the value first (the evaluation checks the first word).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The answer.</returns>
    public static string Answer(string value) => value + ".";
}
