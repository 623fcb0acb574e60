using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Recall.HeldOut;

/// <summary>
/// The wording of the held-out recall suite: paraphrases of the corpus's facts, needles, acknowledgements and document
/// instruction that the corpus generator never produces (a test keeps the two sets disjoint). Values are the corpus's
/// own single-token words (<see cref="Lexicon.Values"/>), some placed first in a sentence rather than last.
/// </summary>
public static class HeldOutTemplates
{
    /// <summary>Gets the personal facts (one per corpus slot key).</summary>
    public static IReadOnlyList<HeldOutFactSlot> Slots { get; } =
    [
        new("pet-name", ValueCategory.Name, ["Our dog answers to {0}.", "{0} is the name we gave our dog."], ["Remind me, what does our dog answer to?", "Which name did we give our dog?"], "the dog answers to {0}"),
        new("sister", ValueCategory.Name, ["I have one sister, and people call her {0}.", "{0} is the name of my younger sister."], ["Do you remember my younger sister's first name?", "How do people address my younger sister?"], "your younger sister goes by {0}"),
        new("friend", ValueCategory.Name, ["The person I trust most, my closest friend, is {0}.", "{0} has been my closest friend since childhood."], ["Which person is my closest friend?", "Whom do I trust most as a friend?"], "{0} is your closest friend"),
        new("colour", ValueCategory.Colour, ["Of all the shades, {0} is the one I prefer.", "When I get to choose, the shade I pick is {0}."], ["Which shade do I prefer above the others?", "Name the shade I pick when I get to choose."], "the shade you prefer is {0}"),
        new("car", ValueCategory.Colour, ["The paint on our car is {0}.", "{0} is the shade of the car I drive."], ["What shade is the car I drive?", "Which paint does our car have?"], "the car you drive is {0}"),
        new("animal", ValueCategory.Animal, ["The {0} is the creature I admire above all.", "Among all creatures, I am fondest of the {0}."], ["Which creature do I admire above all?", "What creature am I fondest of?"], "the creature you admire most is the {0}"),
        new("home", ValueCategory.City, ["These days my flat is in {0}.", "{0} is where my flat is these days."], ["In which city is my flat these days?", "Where is my flat located now?"], "your flat is in {0}"),
        new("born", ValueCategory.City, ["My birthplace was {0}.", "{0} is the place where I came into the world."], ["What city is my birthplace?", "In which place did I come into the world?"], "your birthplace is {0}"),
        new("lucky", ValueCategory.Number, ["When I need luck, I think of the number {0}.", "Good fortune, for me, comes from the number {0}."], ["Which number do I think of when I need luck?", "What number brings me good fortune?"], "{0} is the number that brings you luck"),
        new("cousins", ValueCategory.Number, ["Counting both sides of the family, there are {0} cousins.", "Altogether my parents gave me {0} cousins."], ["How many cousins are there in my family altogether?", "What is the total count of my cousins?"], "there are {0} cousins in your family"),
        new("fruit", ValueCategory.Fruit, ["The {0} is the fruit I enjoy most.", "For a snack I nearly always reach for the {0}."], ["Which fruit do I enjoy most?", "Remind me which fruit I reach for as a snack."], "the fruit you enjoy most is the {0}"),
    ];

    /// <summary>Gets the document facts, one per category.</summary>
    public static IReadOnlyDictionary<ValueCategory, HeldOutNeedle> Needles { get; } = new Dictionary<ValueCategory, HeldOutNeedle>
    {
        [ValueCategory.Name] = new(ValueCategory.Name, "The parcel on the counter was addressed to {0}.", "Everyone agreed the parcel was meant for {0}.", ["Who was the parcel on the counter addressed to?", "For whom was the parcel meant?"]),
        [ValueCategory.Colour] = new(ValueCategory.Colour, "The front door of the lighthouse had been painted {0}.", "Nobody forgot that {0} door.", ["What colour was the lighthouse door painted?", "Which paint was on the front door of the lighthouse?"]),
        [ValueCategory.Animal] = new(ValueCategory.Animal, "The flag above the town hall showed the {0}.", "The {0} on that flag was known to everyone.", ["Which animal did the flag above the town hall show?", "What creature was on the town hall flag?"]),
        [ValueCategory.City] = new(ValueCategory.City, "The night train in this account was bound for {0}.", "{0} was its final stop.", ["Where was the night train bound for?", "Which city was the final stop of the night train?"]),
        [ValueCategory.Number] = new(ValueCategory.Number, "According to the guide, the tower held exactly {0} bells.", "So the count of bells was {0}.", ["How many bells did the tower hold?", "What was the count of bells in the tower?"]),
        [ValueCategory.Fruit] = new(ValueCategory.Fruit, "The crate on the porch held nothing but a single {0}.", "Only that {0} was left in the crate.", ["What fruit was in the crate on the porch?", "Which fruit was left in the crate?"]),
    };

    /// <summary>Gets the instruction that opens a held-out document.</summary>
    public static string DocumentInstruction { get; } = "Below is a passage. Use it to answer the question that follows.";

    /// <summary>Gets the assistant's replies to a stated fact; <c>{0}</c> is the slot's acknowledgement.</summary>
    public static IReadOnlyList<string> AcknowledgementReplies { get; } = ["Understood, {0}.", "Thank you, I have made a note that {0}."];

    /// <summary>Gets the opening of a user turn that states several facts at once.</summary>
    public static string MultiFactOpening { get; } = "A few details about my life:";

    /// <summary>Gets the opening of the assistant's reply to several facts; the acknowledgements follow, joined by semicolons.</summary>
    public static string MultiFactReply { get; } = "Understood, I will keep these in mind:";

    /// <summary>Every template string of the suite (for checks that the corpus never uses them).</summary>
    public static IEnumerable<string> All =>
        Slots.SelectMany(s => s.Statements.Concat(s.Questions).Append(s.Acknowledgement))
            .Concat(Needles.Values.SelectMany(n => n.Questions.Append(n.Statement).Append(n.Restatement)))
            .Concat(AcknowledgementReplies)
            .Append(DocumentInstruction).Append(MultiFactOpening).Append(MultiFactReply);
}
