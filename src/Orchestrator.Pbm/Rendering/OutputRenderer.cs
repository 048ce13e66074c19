using System.Text;
using System.Text.Json;
using Orchestrator.CommandHost.Protocol;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Orchestrator.Pbm.Rendering;

/// <summary>
/// Writes command output: Spectre.Console tables on a terminal, plain aligned columns when
/// stdout is redirected (stable for grep/awk and tests), JSON documents indented as they are.
/// </summary>
internal sealed class OutputRenderer
{
    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    private readonly PbmConsole _console;
    private readonly IAnsiConsole? _ansi;

    public OutputRenderer(PbmConsole console)
    {
        _console = console ?? throw new ArgumentNullException(nameof(console));
        if (!console.IsOutputRedirected)
            _ansi = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Out) });
    }

    public Task RenderAsync(ProtocolMessage message)
    {
        switch (message)
        {
            case TextOutput { IsError: true } text:
                _console.Error.WriteLine(text.Text);
                break;
            case TextOutput text:
                _console.Out.WriteLine(text.Text);
                break;
            case TableOutputMessage table:
                WriteTable(table.Table);
                break;
            case JsonOutput json:
                _console.Out.WriteLine(JsonSerializer.Serialize(json.Value, IndentedJson));
                break;
        }
        return _console.Out.FlushAsync();
    }

    public void WriteTable(TableOutput table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_ansi is null)
        {
            _console.Out.Write(AlignedTable.Render(table));
            return;
        }
        var rendered = new Table().MinimalBorder();
        if (table.Title is not null)
            rendered.Title = new TableTitle(Markup.Escape(table.Title));
        foreach (var column in table.Columns)
            rendered.AddColumn(new TableColumn(new Text(column, new Style(decoration: Decoration.Bold))));
        foreach (var row in table.Rows)
            rendered.AddRow(row.Select(cell => (IRenderable)new Text(cell)).ToArray());
        _ansi.Write(rendered);
    }

    public void WriteError(string message) => _console.Error.WriteLine($"pbm: {message}");
}

/// <summary>A table as plain text: an optional title line, headers, rows, columns padded with two spaces.</summary>
internal static class AlignedTable
{
    public static string Render(TableOutput table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var widths = table.Columns.Select(c => c.Length).ToArray();
        foreach (var row in table.Rows)
        {
            for (var i = 0; i < Math.Min(row.Count, widths.Length); i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        }

        var text = new StringBuilder();
        if (table.Title is not null)
            text.Append(table.Title).Append('\n');
        AppendRow(text, table.Columns, widths);
        foreach (var row in table.Rows)
            AppendRow(text, row, widths);
        return text.ToString();
    }

    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Count ? cells[i] : "";
            line.Append(i == widths.Length - 1 ? cell : cell.PadRight(widths[i] + 2));
        }
        text.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
