using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost.Internal;

/// <summary>
/// Checks an <see cref="ExecuteCommand"/> against the registered palettes before anything runs.
/// The client validates too, but the host never trusts it. Messages say what was wrong and what
/// is possible instead.
/// </summary>
internal sealed class RequestValidator
{
    private readonly IReadOnlyDictionary<string, ICommandPalette> _palettes;

    public RequestValidator(IReadOnlyDictionary<string, ICommandPalette> palettes) => _palettes = palettes;

    /// <summary>The palette and command, or the reason the request is refused.</summary>
    public ValidationOutcome Validate(ExecuteCommand request)
    {
        if (!_palettes.TryGetValue(request.Palette, out var palette))
            return ValidationOutcome.Refused(
                $"unknown palette '{request.Palette}'. Known palettes: {string.Join(", ", _palettes.Keys.Order(StringComparer.Ordinal))}.");

        var command = palette.Definition.FindCommand(request.Command);
        if (command is null)
            return ValidationOutcome.Refused(
                $"palette '{request.Palette}' has no command '{request.Command}'. " +
                $"Its commands: {string.Join(", ", palette.Definition.Commands.Select(c => c.Name))}.");

        foreach (var (name, value) in request.Arguments)
        {
            var declared = command.Switches.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));
            if (declared is null)
                return ValidationOutcome.Refused(
                    $"'{request.Palette} {request.Command}' has no switch --{name}. {DescribeSwitches(command)}");
            if (declared.AllowedValues is { } allowed && !allowed.Contains(value, StringComparer.OrdinalIgnoreCase))
                return ValidationOutcome.Refused(
                    $"--{name} must be one of {string.Join(", ", allowed)}; '{value}' is not.");
        }

        var missing = command.Switches.FirstOrDefault(s => s.IsRequired && !request.Arguments.ContainsKey(s.Name));
        if (missing is not null)
            return ValidationOutcome.Refused(
                $"'{request.Palette} {request.Command}' needs {SwitchDefinitionText.Usage(missing)}: {missing.Description}");

        return ValidationOutcome.Accepted(palette, command);
    }

    private static string DescribeSwitches(CommandDefinition command) =>
        command.Switches.Count == 0
            ? "It takes no switches."
            : $"Its switches: {string.Join(", ", command.Switches.Select(SwitchDefinitionText.Usage))}.";
}

internal sealed record ValidationOutcome(ICommandPalette? Palette, CommandDefinition? Command, string? Error)
{
    public static ValidationOutcome Accepted(ICommandPalette palette, CommandDefinition command) => new(palette, command, null);

    public static ValidationOutcome Refused(string error) => new(null, null, error);
}

internal static class SwitchDefinitionText
{
    /// <summary><c>-a|--address &lt;value&gt;</c>, <c>--verbose</c>.</summary>
    public static string Usage(SwitchDefinition definition)
    {
        var names = definition.ShortName is null ? $"--{definition.Name}" : $"-{definition.ShortName}|--{definition.Name}";
        return definition.IsFlag ? names : $"{names} <value>";
    }
}
