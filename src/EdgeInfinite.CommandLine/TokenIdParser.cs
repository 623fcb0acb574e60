namespace EdgeInfinite.CommandLine;

/// <summary>Reads token ids written as text (<c>--prompt-ids</c>, <c>--prompt-ids-file</c>, <c>--data-ids</c>).</summary>
public static class TokenIdParser
{
    /// <summary>Parses ids separated by commas or whitespace as a stream: no string per id and no copy of the whole text (prompts can hold millions).</summary>
    /// <param name="reader">The text.</param>
    /// <param name="source">The file or option the text came from, named in errors.</param>
    /// <param name="vocab">The vocabulary size: every id must be below it.</param>
    /// <returns>The ids, at least one.</returns>
    /// <exception cref="CliUsageException">An item is not a non-negative integer, an id is outside the vocabulary, or there is none.</exception>
    public static int[] Parse(TextReader reader, string source, int vocab)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(source);
        var result = new List<int>();
        var buffer = new char[64 * 1024];
        long value = 0;
        int digits = 0;
        int item = 0;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            for (int i = 0; i < read; i++)
            {
                char c = buffer[i];
                if (c is >= '0' and <= '9')
                {
                    value = Math.Min(value * 10 + (c - '0'), int.MaxValue + 1L);
                    digits++;
                }
                else if (c == ',' || char.IsWhiteSpace(c))
                {
                    Flush();
                }
                else
                {
                    throw new CliUsageException($"{source}: item {item + 1} contains '{c}'; token ids are non-negative integers separated by commas or whitespace");
                }
            }
        }

        Flush();
        return result.Count > 0 ? [.. result] : throw new CliUsageException($"{source} holds no token ids");

        void Flush()
        {
            if (digits == 0)
            {
                return;
            }

            item++;
            if (value >= vocab)
            {
                throw new CliUsageException($"{source}: '{value}' (item {item}) is not a token id in 0..{vocab - 1}");
            }

            result.Add((int)value);
            value = 0;
            digits = 0;
        }
    }
}
