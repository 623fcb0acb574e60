using System.Text.RegularExpressions;

namespace EdgeInfinite.Corpus.Tests;

/// <summary>Runs of four consecutive words, for checks that two sets of wordings share no phrase.</summary>
public static partial class WordRuns
{
    public const int Length = 4;

    /// <summary>Every run of <see cref="Length"/> words (lower case), leaving out runs that contain a value placeholder <c>{0}</c>.</summary>
    public static HashSet<string> Of(IEnumerable<string> texts)
    {
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            var words = Words(text.ToLowerInvariant()).ToArray();
            for (int i = 0; i + Length <= words.Length; i++)
            {
                if (!words.AsSpan(i, Length).Contains("{0}"))
                {
                    runs.Add(string.Join(' ', words[i..(i + Length)]));
                }
            }
        }

        return runs;
    }

    /// <summary>The words of a text: letters, digits and apostrophes, and the placeholder <c>{0}</c>.</summary>
    public static IEnumerable<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value);

    [GeneratedRegex(@"\{0\}|[\p{L}\p{N}']+")]
    private static partial Regex WordPattern();
}
