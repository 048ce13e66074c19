namespace Orchestrator.CommandHost;

// These records describe what a palette offers. The host sends them to every `pbm` client on
// connect (see Protocol/), so the client shows, validates and completes exactly what the node it
// talks to supports. This file is also compiled into the client: keep it free of Akka.

/// <summary>A palette: a named group of commands, such as <c>cluster</c> or <c>cluster-sharding</c>.</summary>
/// <param name="Name">Lower-case, dash-separated, unique within a host; no spaces or colons.</param>
/// <param name="Description">One line shown by <c>help</c>.</param>
/// <param name="Commands">The palette's commands.</param>
public sealed record PaletteDefinition(string Name, string Description, IReadOnlyList<CommandDefinition> Commands)
{
    /// <summary>The command called <paramref name="name"/>, or null.</summary>
    public CommandDefinition? FindCommand(string name) =>
        Commands.FirstOrDefault(command => string.Equals(command.Name, name, StringComparison.Ordinal));
}

/// <summary>One command of a palette.</summary>
/// <param name="Name">Lower-case, dash-separated, unique within its palette.</param>
/// <param name="Description">One line shown by <c>help</c>.</param>
/// <param name="Switches">The switches the command accepts; anything else is refused.</param>
/// <param name="IsStreaming">True when the command keeps writing output until it is cancelled (Ctrl+C), like <c>cluster tail</c>.</param>
/// <param name="IsMutating">True when the command changes the cluster (leave, down, join, drain, delete, apply...): it then needs the token.</param>
public sealed record CommandDefinition(
    string Name,
    string Description,
    IReadOnlyList<SwitchDefinition> Switches,
    bool IsStreaming = false,
    bool IsMutating = false)
{
    /// <summary>The switch whose long name or short name is <paramref name="name"/> (without dashes), or null.</summary>
    public SwitchDefinition? FindSwitch(string name) =>
        Switches.FirstOrDefault(candidate =>
            string.Equals(candidate.Name, name, StringComparison.Ordinal) ||
            string.Equals(candidate.ShortName, name, StringComparison.Ordinal));
}

/// <summary>
/// A switch of a command: <c>--address value</c> or <c>-a value</c> on the command line.
/// Values travel as strings keyed by <see cref="Name"/>; a flag travels as <c>"true"</c>.
/// </summary>
/// <param name="Name">The long name without dashes (<c>address</c> for <c>--address</c>); the key in <see cref="CommandRequest.Arguments"/>.</param>
/// <param name="ShortName">The one-letter name without the dash (<c>a</c> for <c>-a</c>), or null.</param>
/// <param name="Description">One line shown by <c>help</c>.</param>
/// <param name="IsRequired">True when the command cannot run without it.</param>
/// <param name="IsFlag">True when the switch takes no value (present means true).</param>
/// <param name="AllowedValues">When not null, the only values accepted (also offered by tab completion).</param>
/// <param name="IsPositional">
/// True when the value may also be typed without the switch name, as the command's positional
/// argument (<c>pod describe web-1</c> for <c>pod describe --name web-1</c>); at most one per command.
/// </param>
/// <param name="IsLocalFile">
/// True when the user gives a path on the client's machine (or <c>-</c> for standard input): the
/// client reads that file and sends its content as the value, since the host cannot see the
/// client's files (<c>resource apply -f app.yaml</c>).
/// </param>
public sealed record SwitchDefinition(
    string Name,
    string? ShortName,
    string Description,
    bool IsRequired = false,
    bool IsFlag = false,
    IReadOnlyList<string>? AllowedValues = null,
    bool IsPositional = false,
    bool IsLocalFile = false)
{
    /// <summary><c>-o table|json</c>: how a command that supports both renders its result.</summary>
    public static SwitchDefinition Output { get; } = new(
        "output", "o", "Output format: table (for people) or json (for scripts).",
        AllowedValues: ["table", "json"]);
}
