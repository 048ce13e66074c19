using System.Text;

namespace Orchestrator.Pbm.Grammar;

/// <summary>
/// Splits a line typed at the prompt into words the way a POSIX shell does for simple cases:
/// spaces separate words; 'single quotes' keep everything literally; "double quotes" keep
/// spaces and allow \" and \\; a backslash outside quotes escapes the next character.
/// (System.CommandLine's own splitter knows only plain double quotes, so <c>-m 'a b'</c> and
/// <c>"say \"hi\""</c> would come out wrong.)
/// </summary>
internal static class LineSplitter
{
    /// <summary>The words of <paramref name="line"/>; false with a reason for an unterminated quote.</summary>
    public static bool TrySplit(string line, out IReadOnlyList<string> words, out string? error)
    {
        ArgumentNullException.ThrowIfNull(line);
        var result = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\'')
            {
                if (c == '\'')
                    quote = null;
                else
                    word.Append(c);
            }
            else if (quote == '"')
            {
                if (c == '"')
                    quote = null;
                else if (c == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\')
                    word.Append(line[++i]);
                else
                    word.Append(c);
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    result.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                inWord = true;
                if (c is '\'' or '"')
                    quote = c;
                else if (c == '\\' && i + 1 < line.Length)
                    word.Append(line[++i]);
                else
                    word.Append(c);
            }
        }
        if (inWord)
            result.Add(word.ToString());
        words = result;
        error = quote is null ? null : $"the line ends inside a {(quote == '"' ? "double" : "single")}-quoted value; close the quote.";
        return quote is null;
    }

    /// <summary>The words, leniently: an unterminated quote just ends the last word (for completion).</summary>
    public static IReadOnlyList<string> SplitLenient(string line)
    {
        TrySplit(line, out var words, out _);
        return words;
    }
}
