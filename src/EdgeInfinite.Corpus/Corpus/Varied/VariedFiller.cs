namespace EdgeInfinite.Corpus.Corpus.Varied;

/// <summary>
/// The varied corpus's filler: the template corpus's <see cref="FillerGrammar"/> as one generator among several on the
/// same <see cref="Lexicon"/> words — short remarks, long clauses, lists and quoted dialogue — and more kinds of small talk.
/// </summary>
public static class VariedFiller
{
    private static readonly string[] s_shortVerbs = ["waited", "smiled", "listened", "nodded", "stopped", "agreed"];

    /// <summary>Draws one sentence (no leading space), from one of several generators.</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The sentence.</returns>
    public static string Sentence(DeterministicRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var v = Lexicon.Values;
        return random.Next(6) switch
        {
            0 => $"The {random.Pick(Lexicon.Agents)} {random.Pick(s_shortVerbs)}.",
            1 => $"When the {random.Pick(Lexicon.Adjectives)} {random.Pick(Lexicon.Agents)} {random.Pick(Lexicon.VerbsOfMotion)} to the {random.Pick(Lexicon.Places)} in the {random.Pick(Lexicon.Times)}, {random.Pick(v[ValueCategory.Name])} {random.Pick(Lexicon.VerbsWithObject)} the {random.Pick(Lexicon.Objects)} and took it to the {random.Pick(Lexicon.Places)}.",
            2 => List(random),
            3 => $"\"Is the {random.Pick(Lexicon.Objects)} ready?\" the {random.Pick(Lexicon.Agents)} asked. \"Not yet,\" said {random.Pick(v[ValueCategory.Name])}.",
            4 => $"It was {random.Pick(Lexicon.Weather)} at the {random.Pick(Lexicon.Places)}, so the {random.Pick(Lexicon.Agents)} stayed at home.",
            _ => FillerGrammar.Sentence(random),
        };
    }

    /// <summary>Draws one ordinary exchange (a user turn and the assistant's reply).</summary>
    /// <param name="random">The generator.</param>
    /// <param name="allowLong">Whether a multi-sentence reply may be drawn.</param>
    /// <returns>The user text and the assistant text.</returns>
    public static (string User, string Assistant) Exchange(DeterministicRandom random, bool allowLong = true)
    {
        ArgumentNullException.ThrowIfNull(random);
        return random.Next(4) switch
        {
            0 => ($"What is at the {random.Pick(Lexicon.Places)}?", List(random)),
            1 => ("Say something about your day.", Sentence(random)),
            2 when allowLong => ($"Describe the {random.Pick(Lexicon.Places)}.", string.Join(' ', Enumerable.Range(0, random.Next(2, 5)).Select(_ => Sentence(random)))),
            _ => FillerGrammar.Exchange(random, allowLong),
        };
    }

    private static string List(DeterministicRandom random)
    {
        var objects = random.PickDistinct(Lexicon.Objects, random.Next(3, 5));
        return $"At the {random.Pick(Lexicon.Places)} there was a {string.Join(", a ", objects[..^1])} and a {objects[^1]}.";
    }
}
