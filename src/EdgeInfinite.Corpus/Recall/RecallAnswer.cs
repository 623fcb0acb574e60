namespace EdgeInfinite.Corpus.Recall;

/// <summary>Checks a model's reply to a recall question.</summary>
public static class RecallAnswer
{
    /// <summary>Gets the first word of a reply: leading whitespace and punctuation skipped, then letters and digits.</summary>
    /// <param name="reply">The reply.</param>
    /// <returns>The word, or empty.</returns>
    public static string FirstWord(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        int start = 0;
        while (start < reply.Length && !char.IsLetterOrDigit(reply[start]))
        {
            start++;
        }

        int end = start;
        while (end < reply.Length && char.IsLetterOrDigit(reply[end]))
        {
            end++;
        }

        return reply[start..end];
    }

    /// <summary>Whether the reply's first word is the expected value (case-insensitive).</summary>
    /// <param name="reply">The reply.</param>
    /// <param name="expected">The expected value.</param>
    /// <returns><see langword="true"/> when correct.</returns>
    public static bool IsCorrect(string reply, string expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        return string.Equals(FirstWord(reply), expected, StringComparison.OrdinalIgnoreCase);
    }
}
