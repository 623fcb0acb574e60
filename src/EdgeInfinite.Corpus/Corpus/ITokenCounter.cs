namespace EdgeInfinite.Corpus.Corpus;

/// <summary>Counts the tokens of a piece of text (to place facts and questions at token distances).</summary>
public interface ITokenCounter
{
    /// <summary>Counts the tokens of text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The number of tokens.</returns>
    int CountTokens(string text);
}
