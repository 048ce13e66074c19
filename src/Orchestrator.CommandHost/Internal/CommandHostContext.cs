using Microsoft.Extensions.Logging;

namespace Orchestrator.CommandHost.Internal;

/// <summary>What every session of one host shares.</summary>
internal sealed class CommandHostContext(
    IReadOnlyDictionary<string, ICommandPalette> palettes,
    CommandAuthorization authorization,
    string nodeName,
    ILogger logger)
{
    public IReadOnlyDictionary<string, ICommandPalette> Palettes { get; } = palettes;

    public RequestValidator Validator { get; } = new(palettes);

    public CommandAuthorization Authorization { get; } = authorization;

    public string NodeName { get; } = nodeName;

    public ILogger Logger { get; } = logger;

    /// <summary>Commands running on all sessions; updated with <see cref="Interlocked"/>.</summary>
    public int ActiveCommands;
}
