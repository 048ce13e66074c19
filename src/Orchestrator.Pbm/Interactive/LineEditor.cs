using System.Text;

namespace Orchestrator.Pbm.Interactive;

/// <summary>
/// A small line editor for a terminal: Left/Right/Home/End, Backspace/Delete, Up/Down through
/// history, Tab to complete (one match is inserted, several are extended to their common prefix
/// or listed), Escape to clear, Ctrl+D on an empty line to end. Ctrl+C is left to the signal
/// handler (it ends pbm at the prompt).
/// </summary>
internal sealed class LineEditor(TextWriter output, Func<string, IReadOnlyList<string>> complete)
{
    private readonly StringBuilder _buffer = new();
    private int _cursor;

    public string? ReadLine(string prompt, IReadOnlyList<string> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        _buffer.Clear();
        _cursor = 0;
        var historyIndex = history.Count;
        output.Write(prompt);
        output.Flush();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    output.WriteLine();
                    return _buffer.ToString();
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control):
                    if (_buffer.Length > 0)
                        continue;
                    output.WriteLine();
                    return null;
                case ConsoleKey.Backspace when _cursor > 0:
                    _buffer.Remove(--_cursor, 1);
                    break;
                case ConsoleKey.Delete when _cursor < _buffer.Length:
                    _buffer.Remove(_cursor, 1);
                    break;
                case ConsoleKey.LeftArrow when _cursor > 0:
                    _cursor--;
                    break;
                case ConsoleKey.RightArrow when _cursor < _buffer.Length:
                    _cursor++;
                    break;
                case ConsoleKey.Home:
                    _cursor = 0;
                    break;
                case ConsoleKey.End:
                    _cursor = _buffer.Length;
                    break;
                case ConsoleKey.Escape:
                    Replace("");
                    break;
                case ConsoleKey.UpArrow when historyIndex > 0:
                    Replace(history[--historyIndex]);
                    break;
                case ConsoleKey.DownArrow when historyIndex < history.Count:
                    historyIndex++;
                    Replace(historyIndex == history.Count ? "" : history[historyIndex]);
                    break;
                case ConsoleKey.Tab:
                    CompleteWord(prompt);
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                        _buffer.Insert(_cursor++, key.KeyChar);
                    break;
            }
            Redraw(prompt);
        }
    }

    private void CompleteWord(string prompt)
    {
        var beforeCursor = _buffer.ToString(0, _cursor);
        var candidates = complete(beforeCursor);
        if (candidates.Count == 0)
            return;
        var wordStart = beforeCursor.LastIndexOf(' ') + 1;
        var partial = beforeCursor[wordStart..];
        var insert = candidates.Count == 1 ? candidates[0] + " " : CommonPrefix(candidates);
        if (insert.Length > partial.Length)
        {
            _buffer.Remove(wordStart, partial.Length).Insert(wordStart, insert);
            _cursor = wordStart + insert.Length;
            return;
        }
        output.WriteLine();
        output.WriteLine(string.Join("  ", candidates));
        output.Write(prompt);
    }

    private void Replace(string text)
    {
        _buffer.Clear().Append(text);
        _cursor = _buffer.Length;
    }

    private void Redraw(string prompt)
    {
        // Return to column 0, rewrite prompt and line, clear what is left of a longer old line,
        // then move the cursor back to its place.
        output.Write('\r');
        output.Write(prompt);
        output.Write(_buffer.ToString());
        output.Write("\u001b[K");
        var back = _buffer.Length - _cursor;
        if (back > 0)
            output.Write($"\u001b[{back}D");
        output.Flush();
    }

    private static string CommonPrefix(IReadOnlyList<string> words)
    {
        var prefix = words[0];
        foreach (var word in words.Skip(1))
        {
            var length = 0;
            while (length < prefix.Length && length < word.Length && prefix[length] == word[length])
                length++;
            prefix = prefix[..length];
        }
        return prefix;
    }
}
