using System.Globalization;
using EdgeInfinite.Corpus.Corpus;

namespace EdgeInfinite.Corpus.Recall.HeldOut;

/// <summary>
/// The held-out suite's filler: a deterministic prose generator separate from the corpus's <see cref="FillerGrammar"/>,
/// with its own vocabulary (no word of <see cref="Lexicon"/>'s filler lists and no fact value), and sentences of very
/// different lengths and shapes: short remarks, long clauses, lists, quoted dialogue, measurements in digits, and
/// paragraph breaks. Conversation filler is practical requests answered with that prose.
/// </summary>
public static class HeldOutProse
{
    private static readonly string[] s_people = ["the engineer", "the clerk", "the nurse", "the mechanic", "the carpenter", "the plumber", "the tailor", "the courier", "the surveyor", "the fisherman", "the potter", "the weaver", "the shepherd", "the porter", "the architect", "the innkeeper"];
    private static readonly string[] s_names = ["Ingrid", "Tobias", "Greta", "Arthur", "Priya", "Dmitri", "Fenna", "Hugo", "Mrs Hale", "Mr Okafor"];
    private static readonly string[] s_things = ["ladder", "kettle", "blanket", "bucket", "hammer", "envelope", "umbrella", "candle", "notebook", "pencil", "rope", "wheel", "mirror", "saucepan", "drawer", "carpet", "fence", "jar", "parcel", "shovel", "lantern", "kite"];
    private static readonly string[] s_sites = ["warehouse", "workshop", "cellar", "orchard", "pier", "square", "bakery", "canal", "cottage", "stable", "meadow", "valley", "quarry", "tavern", "chapel", "depot", "attic", "courtyard"];
    private static readonly string[] s_qualities = ["narrow", "heavy", "rusty", "wooden", "dusty", "crowded", "empty", "patient", "nervous", "cheerful", "silent", "muddy", "sturdy", "faded", "polished", "curious", "stubborn", "honest", "damp", "crooked"];
    private static readonly string[] s_deeds = ["repaired", "borrowed", "measured", "delivered", "stacked", "emptied", "wrapped", "weighed", "inspected", "replaced", "folded", "tied", "swept", "mended", "locked", "lifted"];
    private static readonly string[] s_goings = ["strolled", "climbed", "crossed", "rode", "marched", "drifted", "limped", "jogged"];
    private static readonly string[] s_moments = ["dawn", "noon", "dusk", "midnight", "Monday", "Tuesday", "Thursday", "Saturday", "the end of the shift", "the first frost"];
    private static readonly string[] s_smells = ["sawdust", "wet wool", "tar", "smoke", "soap", "pine", "diesel", "vinegar"];
    private static readonly string[] s_shortRemarks = ["Nobody answered.", "It was late.", "Then silence.", "Nothing stirred.", "Rain began.", "That settled it.", "Work continued.", "Nobody laughed."];

    /// <summary>Draws one piece of a document: a sentence with its leading space, or after a paragraph break.</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The piece.</returns>
    public static string DocumentPiece(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        string separator = random.Chance(0.15) ? "\n\n" : " ";
        return separator + Sentence(random);
    }

    /// <summary>Draws one sentence (no leading space).</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The sentence, or a few when the shape needs them (dialogue, a question and its answer).</returns>
    public static string Sentence(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return random.Next(9) switch
        {
            0 => random.Chance(0.5) ? random.Pick(s_shortRemarks) : $"{Capital(random.Pick(s_people))} shrugged.",
            1 => $"At {random.Pick(s_moments)} {random.Pick(s_people)} {random.Pick(s_deeds)} the {random.Pick(s_qualities)} {random.Pick(s_things)} behind the {random.Pick(s_sites)}.",
            2 => $"Because the {random.Pick(s_sites)} was {random.Pick(s_qualities)} and {random.Pick(s_qualities)}, {random.Pick(s_people)} {random.Pick(s_deeds)} the {random.Pick(s_things)} first, and only later {random.Pick(s_goings)} across the {random.Pick(s_sites)} to look for {random.Pick(s_names)}, who had promised to bring a {random.Pick(s_things)}.",
            3 => List(random),
            4 => $"\"Where did you leave the {random.Pick(s_things)}?\" asked {random.Pick(s_names)}. \"Beside the {random.Pick(s_things)} in the {random.Pick(s_sites)},\" {random.Pick(s_people)} replied.",
            5 => string.Create(CultureInfo.InvariantCulture, $"The {random.Pick(s_things)} weighed {random.Next(2, 99)} kilograms, or so {random.Pick(s_people)} claimed."),
            6 => $"Who had {random.Pick(s_deeds)} the {random.Pick(s_things)}? Nobody at the {random.Pick(s_sites)} would say.",
            7 => $"The {random.Pick(s_sites)} smelled of {random.Pick(s_smells)}; {random.Pick(s_people)} did not seem to mind.",
            _ => $"{random.Pick(s_names)} {random.Pick(s_goings)} to the {random.Pick(s_sites)} at {random.Pick(s_moments)}.",
        };
    }

    /// <summary>Draws one ordinary exchange (a user request and the assistant's reply), none of them a corpus exchange.</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The user text and the assistant text.</returns>
    public static (string User, string Assistant) Exchange(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        switch (random.Next(5))
        {
            case 0:
                return ($"Could you describe the {random.Pick(s_sites)} for me?", Prose(random, random.Next(2, 4)));
            case 1:
                return ($"What should I pack before visiting the {random.Pick(s_sites)}?", $"Pack a {random.Pick(s_things)}, a {random.Pick(s_things)} and a {random.Pick(s_qualities)} {random.Pick(s_things)}.");
            case 2:
                string thing = random.Pick(s_things);
                return ($"How do I mend a {random.Pick(s_qualities)} {thing}?", $"First, empty the {thing}. Then check it near the {random.Pick(s_sites)} for cracks. Finally, ask {random.Pick(s_people)} to look at it.");
            case 3:
                return ($"Any news from the {random.Pick(s_sites)}?", Sentence(random));
            default:
                return ($"Is it {random.Pick(s_qualities)} at the {random.Pick(s_sites)} these days?", "Probably. " + Sentence(random));
        }
    }

    private static string Prose(DeterministicRandom random, int sentences) =>
        string.Join(' ', Enumerable.Range(0, sentences).Select(_ => Sentence(random)));

    private static string List(DeterministicRandom random)
    {
        var things = random.PickDistinct(s_things, random.Next(3, 5));
        return $"{Capital(random.Pick(s_people))} drew up a list: {string.Join(", ", things[..^1])}, and a {random.Pick(s_qualities)} {things[^1]}.";
    }

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
