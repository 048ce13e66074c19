using Orchestrator.CommandHost;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Pbm.Grammar;

namespace Orchestrator.Pbm.Rendering;

/// <summary>Help built from the palettes the host sent: everything, one palette, or one command.</summary>
internal sealed class HelpWriter(OutputRenderer renderer, TextWriter output)
{
    public const string Usage = "Usage: pbm [host:port] <palette> <command> [-switch value | --long-switch value]...";

    /// <summary>Writes the help asked for; returns false (after saying why) when the palette or command is unknown.</summary>
    public bool Write(PaletteCommandTree tree, HelpRequested request)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Palette is null)
        {
            WriteOverview(tree);
            return true;
        }
        var palette = tree.FindPalette(request.Palette);
        if (palette is null)
        {
            renderer.WriteError($"unknown palette '{request.Palette}'. Known palettes: {string.Join(", ", tree.Palettes.Select(p => p.Name))}.");
            return false;
        }
        if (request.Command is null)
        {
            WritePalette(palette);
            return true;
        }
        var command = palette.FindCommand(request.Command);
        if (command is null)
        {
            renderer.WriteError($"palette '{palette.Name}' has no command '{request.Command}'. Its commands: {string.Join(", ", palette.Commands.Select(c => c.Name))}.");
            return false;
        }
        WriteCommand(palette, command);
        return true;
    }

    private void WriteOverview(PaletteCommandTree tree)
    {
        output.WriteLine(Usage);
        output.WriteLine("  host:port defaults to 127.0.0.1:9110. Without a command pbm opens an interactive prompt.");
        output.WriteLine("  Mutating commands (and every command on a host exposed beyond loopback) need the node's token:");
        output.WriteLine("  set ORCHESTRATOR_TOKEN, or ORCHESTRATOR_TOKEN_FILE to a file holding it.");
        output.WriteLine();
        renderer.WriteTable(new TableOutput("Palettes:", ["PALETTE", "DESCRIPTION"],
            tree.Palettes.Select(p => (IReadOnlyList<string>)[p.Name, p.Description]).ToArray()));
        output.WriteLine();
        output.WriteLine("More: 'pbm help <palette>' or 'pbm help <palette> <command>'.");
    }

    private void WritePalette(PaletteDefinition palette)
    {
        output.WriteLine($"{palette.Name}: {palette.Description}");
        renderer.WriteTable(new TableOutput(null, ["COMMAND", "DESCRIPTION", "USAGE"],
            palette.Commands.Select(c => (IReadOnlyList<string>)
            [
                c.Name,
                c.Description + Marks(c),
                PaletteCommandTree.Usage(palette, c),
            ]).ToArray()));
    }

    private void WriteCommand(PaletteDefinition palette, CommandDefinition command)
    {
        output.WriteLine($"{palette.Name} {command.Name}: {command.Description}{Marks(command)}");
        output.WriteLine($"Usage: pbm [host:port] {PaletteCommandTree.Usage(palette, command)}");
        if (command.Switches.Count == 0)
            return;
        renderer.WriteTable(new TableOutput(null, ["SWITCH", "REQUIRED", "DESCRIPTION"],
            command.Switches.Select(s => (IReadOnlyList<string>)
                [PaletteCommandTree.SwitchUsage(s), s.IsRequired ? "yes" : "no", s.Description]).ToArray()));
    }

    private static string Marks(CommandDefinition command) =>
        (command.IsStreaming ? " [streaming: Ctrl+C stops it]" : "") + (command.IsMutating ? " [mutating: needs the token]" : "");
}
