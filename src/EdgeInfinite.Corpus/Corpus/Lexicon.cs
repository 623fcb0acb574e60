namespace EdgeInfinite.Corpus.Corpus;

/// <summary>
/// The words the corpus is made of. Fact values are short, frequent words, used throughout the corpus (in facts,
/// answers and filler), so a BPE vocabulary of a few thousand keeps each one a single token both with a leading space
/// (inside sentences) and without (at the start of an answer).
/// </summary>
public static class Lexicon
{
    /// <summary>Gets the values of each category.</summary>
    public static IReadOnlyDictionary<ValueCategory, IReadOnlyList<string>> Values { get; } = new Dictionary<ValueCategory, IReadOnlyList<string>>
    {
        [ValueCategory.Name] = ["Max", "Bella", "Luna", "Charlie", "Lucy", "Oscar", "Daisy", "Milo", "Rosa", "Leo", "Anna", "Tom", "Sam", "Emma", "Jack", "Mia", "Ben", "Lily", "Noah", "Zoe"],
        [ValueCategory.Colour] = ["red", "blue", "green", "yellow", "purple", "orange", "black", "white", "pink", "brown", "grey", "gold"],
        [ValueCategory.Animal] = ["Tiger", "Lion", "Horse", "Rabbit", "Eagle", "Wolf", "Bear", "Fox", "Owl", "Shark", "Zebra", "Panda", "Monkey", "Camel", "Goat", "Duck"],
        [ValueCategory.City] = ["Paris", "London", "Tokyo", "Berlin", "Rome", "Madrid", "Cairo", "Lima", "Oslo", "Dublin", "Vienna", "Prague", "Athens", "Sydney", "Moscow", "Delhi", "Seoul", "Boston"],
        [ValueCategory.Number] = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty", "thirty", "forty", "fifty"],
        [ValueCategory.Fruit] = ["apple", "banana", "cherry", "mango", "lemon", "peach", "grape", "melon", "pear", "plum"],
    };

    /// <summary>Draws one value per category, all distinct (a category may come more than once).</summary>
    /// <param name="random">The generator.</param>
    /// <param name="categories">The categories, in draw order.</param>
    /// <returns>The values, one per category.</returns>
    internal static List<string> DistinctValues(DeterministicRandom random, IEnumerable<ValueCategory> categories)
    {
        var values = new List<string>();
        foreach (var category in categories)
        {
            string value;
            do
            {
                value = random.Pick(Values[category]);
            }
            while (values.Contains(value));
            values.Add(value);
        }

        return values;
    }

    /// <summary>Gets every value of every category.</summary>
    public static IReadOnlyList<string> AllValues { get; } = Values.Values.SelectMany(v => v).ToArray();

    /// <summary>Gets the number words zero to twenty, indexed by value.</summary>
    public static IReadOnlyList<string> NumberWords { get; } =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"];

    /// <summary>Gets countries and their capitals (all capitals are <see cref="ValueCategory.City"/> values).</summary>
    public static IReadOnlyList<(string Country, string Capital)> Capitals { get; } =
    [
        ("France", "Paris"), ("England", "London"), ("Japan", "Tokyo"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"),
        ("Egypt", "Cairo"), ("Peru", "Lima"), ("Norway", "Oslo"), ("Ireland", "Dublin"), ("Austria", "Vienna"), ("Greece", "Athens"),
        ("Russia", "Moscow"), ("Korea", "Seoul"),
    ];

    /// <summary>Gets things and their colours (all colours are <see cref="ValueCategory.Colour"/> values).</summary>
    public static IReadOnlyList<(string Thing, string Colour)> ThingColours { get; } =
    [
        ("the sky", "blue"), ("grass", "green"), ("snow", "white"), ("a banana", "yellow"), ("a cherry", "red"), ("coal", "black"),
        ("an orange", "orange"), ("a lemon", "yellow"), ("the sun", "yellow"), ("a plum", "purple"),
    ];

    /// <summary>Gets adjectives for filler text.</summary>
    public static IReadOnlyList<string> Adjectives { get; } =
        ["old", "young", "small", "big", "quiet", "happy", "tired", "busy", "kind", "clever", "brave", "gentle", "tall", "little", "friendly", "careful", "lazy", "bright", "calm", "proud"];

    /// <summary>Gets people and things that act in filler text.</summary>
    public static IReadOnlyList<string> Agents { get; } =
        ["farmer", "teacher", "doctor", "baker", "painter", "sailor", "student", "driver", "writer", "neighbour", "child", "king", "queen", "cook", "gardener", "pilot", "singer", "friend"];

    /// <summary>Gets objects for filler text.</summary>
    public static IReadOnlyList<string> Objects { get; } =
        ["book", "letter", "basket", "lamp", "chair", "table", "box", "cup", "hat", "coat", "ball", "boat", "map", "key", "clock", "bag", "song", "story", "picture", "garden"];

    /// <summary>Gets places for filler text.</summary>
    public static IReadOnlyList<string> Places { get; } =
        ["market", "river", "park", "station", "library", "forest", "village", "school", "kitchen", "bridge", "harbour", "hill", "beach", "shop", "field", "castle", "road", "museum"];

    /// <summary>Gets past-tense verbs that take an object.</summary>
    public static IReadOnlyList<string> VerbsWithObject { get; } =
        ["found", "carried", "painted", "opened", "cleaned", "bought", "sold", "fixed", "lost", "built", "read", "wrote", "moved", "shared", "watched", "kept"];

    /// <summary>Gets past-tense verbs of motion.</summary>
    public static IReadOnlyList<string> VerbsOfMotion { get; } =
        ["walked", "ran", "drove", "sailed", "went", "came", "hurried", "wandered", "travelled", "returned"];

    /// <summary>Gets times of day and similar openers.</summary>
    public static IReadOnlyList<string> Times { get; } =
        ["morning", "evening", "afternoon", "night", "spring", "summer", "autumn", "winter"];

    /// <summary>Gets weather conditions (tool results).</summary>
    public static IReadOnlyList<string> Weather { get; } = ["sunny", "cloudy", "rainy", "windy", "snowy", "foggy"];

    /// <summary>Gets topics for small talk.</summary>
    public static IReadOnlyList<string> Topics { get; } = ["the weather", "the river", "the market", "your day", "the garden", "the old castle", "the village", "the forest"];
}
