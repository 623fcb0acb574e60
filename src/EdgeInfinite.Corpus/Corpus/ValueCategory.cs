namespace EdgeInfinite.Corpus.Corpus;

/// <summary>The categories of fact values (each value is one frequent word, kept whole by the trained tokenizer).</summary>
public enum ValueCategory
{
    /// <summary>First names (people and pets).</summary>
    Name,

    /// <summary>Colours.</summary>
    Colour,

    /// <summary>Animals.</summary>
    Animal,

    /// <summary>Cities.</summary>
    City,

    /// <summary>Number words.</summary>
    Number,

    /// <summary>Fruits.</summary>
    Fruit,
}
