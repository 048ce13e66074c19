using System.CommandLine;
using Orchestrator.CommandHost;

namespace Orchestrator.Pbm.Grammar;

/// <summary>
/// A System.CommandLine tree built from the palettes a host sent: one subcommand per palette,
/// one sub-subcommand per command, one option per switch (<c>--long</c> and <c>-s</c>). It parses
/// the words after the address and completes partial lines for the interactive prompt.
/// </summary>
internal sealed class PaletteCommandTree
{
    private static readonly string[] HelpWords = ["help", "-h", "--help", "-?"];

    private readonly RootCommand _root = new("pbm");
    private readonly Dictionary<(string Palette, string Command), Dictionary<string, Option>> _options = [];
    private readonly Dictionary<(string Palette, string Command), Argument<string>> _positionals = [];

    public PaletteCommandTree(IReadOnlyList<PaletteDefinition> palettes)
    {
        Palettes = palettes ?? throw new ArgumentNullException(nameof(palettes));
        // Help and version are pbm's own (see HelpRequested), so the defaults go.
        _root.Options.Clear();
        _root.Directives.Clear();
        foreach (var palette in palettes)
        {
            var paletteCommand = new Command(palette.Name, palette.Description);
            foreach (var command in palette.Commands)
            {
                var commandNode = new Command(command.Name, command.Description);
                var options = new Dictionary<string, Option>(StringComparer.Ordinal);
                foreach (var definition in command.Switches)
                {
                    var option = CreateOption(definition);
                    commandNode.Options.Add(option);
                    options[definition.Name] = option;
                    if (definition.IsPositional && !_positionals.ContainsKey((palette.Name, command.Name)))
                    {
                        var positional = new Argument<string>(definition.Name) { Description = definition.Description, Arity = ArgumentArity.ZeroOrOne };
                        commandNode.Arguments.Add(positional);
                        _positionals[(palette.Name, command.Name)] = positional;
                    }
                }
                paletteCommand.Subcommands.Add(commandNode);
                _options[(palette.Name, command.Name)] = options;
            }
            _root.Subcommands.Add(paletteCommand);
        }
    }

    /// <summary>The palettes this tree was built from.</summary>
    public IReadOnlyList<PaletteDefinition> Palettes { get; }

    /// <summary>Splits a typed line into words (see <see cref="LineSplitter"/>), leniently.</summary>
    public static IReadOnlyList<string> SplitLine(string line) => LineSplitter.SplitLenient(line);

    public PaletteDefinition? FindPalette(string name) =>
        Palettes.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>Checks the words after the address: palette, command, then switches.</summary>
    public ParseOutcome Parse(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0)
            return new HelpRequested(null, null);
        if (HelpWords.Contains(words[0]))
            return new HelpRequested(words.ElementAtOrDefault(1), words.ElementAtOrDefault(2));

        var palette = FindPalette(words[0]);
        if (palette is null)
            return new ParseFailed($"unknown palette '{words[0]}'. Known palettes: {KnownPalettes()}. Run 'pbm help' for more.");
        if (words.Count == 1 || HelpWords.Contains(words[1]))
            return words.Count == 1
                ? new ParseFailed($"palette '{palette.Name}' needs a command: {KnownCommands(palette)}. Run 'pbm help {palette.Name}' for more.")
                : new HelpRequested(palette.Name, words.ElementAtOrDefault(2));

        var command = palette.FindCommand(words[1]);
        if (command is null)
            return new ParseFailed(
                $"palette '{palette.Name}' has no command '{words[1]}'. Its commands: {KnownCommands(palette)}.");
        if (words.Skip(2).Any(word => HelpWords.Contains(word) && word != "help"))
            return new HelpRequested(palette.Name, command.Name);

        var result = _root.Parse(words);
        if (result.Errors.Count > 0)
        {
            var problems = string.Join(" ", result.Errors.Select(e => EndSentence(e.Message)));
            return new ParseFailed($"'{palette.Name} {command.Name}': {problems} Usage: {Usage(palette, command)}");
        }

        var arguments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, option) in _options[(palette.Name, command.Name)])
        {
            var optionResult = result.GetResult(option);
            if (optionResult is null || optionResult.Implicit)
                continue;
            var definition = command.FindSwitch(name)!;
            if (definition.IsFlag)
            {
                if (result.GetValue((Option<bool>)option))
                    arguments[name] = "true";
            }
            else if (result.GetValue((Option<string>)option) is { } value)
            {
                arguments[name] = value;
            }
        }

        if (_positionals.TryGetValue((palette.Name, command.Name), out var positional) && result.GetValue(positional) is { } positionalValue)
        {
            if (arguments.TryGetValue(positional.Name, out var namedValue))
                return new ParseFailed(
                    $"'{palette.Name} {command.Name}': {positional.Name} was given twice, as '{positionalValue}' and as --{positional.Name} '{namedValue}'. Usage: {Usage(palette, command)}");
            arguments[positional.Name] = positionalValue;
        }
        var missing = command.Switches.FirstOrDefault(s => s.IsRequired && s.IsPositional && !arguments.ContainsKey(s.Name));
        if (missing is not null)
            return new ParseFailed($"'{palette.Name} {command.Name}' needs the {missing.Name}: {missing.Description} Usage: {Usage(palette, command)}");
        return new ParsedCommand(palette.Name, command.Name, arguments);
    }

    /// <summary>
    /// Completions for the last (possibly empty) word of <paramref name="line"/>: palette names,
    /// then the palette's commands, then switches and their allowed values. Only exact prefix matches.
    /// </summary>
    public IReadOnlyList<string> Complete(string line, IEnumerable<string>? extraFirstWords = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = SplitLine(line);
        var endsWithSpace = line.Length == 0 || char.IsWhiteSpace(line[^1]);
        var partial = endsWithSpace || words.Count == 0 ? "" : words[^1];
        IEnumerable<string> candidates;
        if (words.Count == 0 || (words.Count == 1 && !endsWithSpace))
        {
            candidates = Palettes.Select(p => p.Name).Concat(extraFirstWords ?? []);
        }
        else
        {
            var result = _root.Parse(line);
            candidates = result.GetCompletions(line.Length).Select(item => item.InsertText ?? item.Label);
        }
        return candidates
            .Where(candidate => candidate.StartsWith(partial, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary><c>cluster down -a|--address &lt;value&gt; [-o|--output &lt;value&gt;]</c>.</summary>
    public static string Usage(PaletteDefinition palette, CommandDefinition command)
    {
        ArgumentNullException.ThrowIfNull(palette);
        ArgumentNullException.ThrowIfNull(command);
        var parts = new List<string> { palette.Name, command.Name };
        parts.AddRange(command.Switches.Select(s => s.IsPositional
            ? s.IsRequired ? $"<{s.Name}>" : $"[<{s.Name}>]"
            : s.IsRequired ? SwitchUsage(s) : $"[{SwitchUsage(s)}]"));
        return string.Join(" ", parts);
    }

    /// <summary><c>-a|--address &lt;value&gt;</c>, or the allowed values instead of &lt;value&gt;.</summary>
    public static string SwitchUsage(SwitchDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var names = definition.ShortName is null ? $"--{definition.Name}" : $"-{definition.ShortName}|--{definition.Name}";
        if (definition.IsFlag)
            return names;
        if (definition.IsLocalFile)
            return $"{names} <file>";
        if (definition.IsPositional)
            return $"<{definition.Name}>|{names} <value>";
        return definition.AllowedValues is { Count: > 0 } allowed ? $"{names} {string.Join("|", allowed)}" : $"{names} <value>";
    }

    private static Option CreateOption(SwitchDefinition definition)
    {
        var aliases = definition.ShortName is null ? Array.Empty<string>() : [$"-{definition.ShortName}"];
        if (definition.IsFlag)
            return new Option<bool>($"--{definition.Name}", aliases) { Description = definition.Description, Arity = ArgumentArity.ZeroOrOne };

        var option = new Option<string>($"--{definition.Name}", aliases)
        {
            Description = definition.Description,
            // a positional switch may come without its name, so the parse cannot require the option
            Required = definition.IsRequired && !definition.IsPositional,
            Arity = ArgumentArity.ExactlyOne,
        };
        if (definition.AllowedValues is { Count: > 0 } allowed)
            option.AcceptOnlyFromAmong([.. allowed]);
        return option;
    }

    private string KnownPalettes() => string.Join(", ", Palettes.Select(p => p.Name));

    private static string KnownCommands(PaletteDefinition palette) => string.Join(", ", palette.Commands.Select(c => c.Name));

    private static string EndSentence(string message) => message.EndsWith('.') ? message : message + ".";
}
