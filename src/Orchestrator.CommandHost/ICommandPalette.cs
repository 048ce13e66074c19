using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost;

/// <summary>
/// A group of <c>pbm</c> commands served by the command host, such as <c>cluster</c>.
/// </summary>
/// <remarks>
/// <para>To add a palette (for example <c>pod</c>): implement this interface, or derive from
/// <see cref="CommandPalette"/> which routes each command to a handler, and register it in DI
/// next to <c>AddCommandHost()</c>:</para>
/// <code>
/// services.AddSingleton&lt;ICommandPalette, PodPalette&gt;();
/// </code>
/// <para>The host sends <see cref="Definition"/> to every client on connect, and checks each
/// request against it before calling <see cref="ExecuteAsync"/>: the palette and command exist,
/// every switch is declared, required switches are present, values are among
/// <see cref="SwitchDefinition.AllowedValues"/>, and the token was presented when the command is
/// <see cref="CommandDefinition.IsMutating"/> (or when the host is exposed beyond loopback).
/// So <see cref="ExecuteAsync"/> only sees well-formed requests.</para>
/// <para>Write results to <paramref name="output"/> as they come (text lines, tables, JSON for
/// <c>-o json</c>); return an exit code from <see cref="ExitCodes"/>, or throw: an exception
/// becomes exit code 1 with its message shown to the user. A streaming command
/// (<see cref="CommandDefinition.IsStreaming"/>) runs until the cancellation token fires when the
/// user presses Ctrl+C or disconnects; return (or throw <see cref="OperationCanceledException"/>) then.</para>
/// <para>Palettes are singletons shared by every connection: keep no per-request state in fields.</para>
/// </remarks>
public interface ICommandPalette
{
    /// <summary>The palette's name, commands and switches; must not change after registration.</summary>
    PaletteDefinition Definition { get; }

    /// <summary>Runs one validated command.</summary>
    /// <param name="request">The command and its switch values.</param>
    /// <param name="output">Where results go; writes are sent to the client immediately.</param>
    /// <param name="cancellationToken">Fires on Ctrl+C, client disconnect or host shutdown.</param>
    /// <returns>The exit code: <see cref="ExitCodes.Success"/> or another value of <see cref="ExitCodes"/>.</returns>
    Task<int> ExecuteAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken);
}

/// <summary>A validated command invocation.</summary>
/// <param name="Palette">The palette name.</param>
/// <param name="Command">The command name.</param>
/// <param name="Arguments">Switch values keyed by the switch's long name; a flag's value is <c>"true"</c>.</param>
public sealed record CommandRequest(string Palette, string Command, IReadOnlyDictionary<string, string> Arguments)
{
    /// <summary>The value of the switch named <paramref name="name"/> (long name), or null when absent.</summary>
    public string? GetSwitch(string name) => Arguments.GetValueOrDefault(name);

    /// <summary>True when the flag named <paramref name="name"/> was given.</summary>
    public bool HasFlag(string name) =>
        Arguments.TryGetValue(name, out var value) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <c>-o json</c> was asked for.</summary>
    public bool WantsJson => string.Equals(GetSwitch(SwitchDefinition.Output.Name), "json", StringComparison.OrdinalIgnoreCase);
}

/// <summary>Where a command writes its results; each call sends one message to the client at once.</summary>
public interface ICommandOutput
{
    /// <summary>One line of text for the user (standard output on the client).</summary>
    Task WriteLineAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>One line of diagnostics (standard error on the client).</summary>
    Task WriteErrorLineAsync(string text, CancellationToken cancellationToken = default);

    /// <summary>A table the client renders aligned.</summary>
    Task WriteTableAsync(TableOutput table, CancellationToken cancellationToken = default);

    /// <summary>A value serialized to JSON (camelCase) that the client prints as is; for <c>-o json</c>.</summary>
    Task WriteJsonAsync<T>(T value, CancellationToken cancellationToken = default);
}

/// <summary>
/// A convenient base for palettes: declare each command with its handler in the constructor and
/// the definition and routing follow.
/// </summary>
/// <example>
/// <code>
/// public sealed class PodPalette : CommandPalette
/// {
///     public PodPalette(IPodQueries pods) : base("pod", "Pods: list, describe, delete.")
///     {
///         AddCommand(new CommandDefinition("list", "Lists pods.", [SwitchDefinition.Output]),
///             async (request, output, ct) => { /* write a table */ return ExitCodes.Success; });
///     }
/// }
/// </code>
/// </example>
public abstract class CommandPalette : ICommandPalette
{
    /// <summary>Runs one command; see <see cref="ICommandPalette.ExecuteAsync"/>.</summary>
    protected delegate Task<int> CommandHandler(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken);

    private readonly string _name;
    private readonly string _description;
    private readonly List<CommandDefinition> _commands = [];
    private readonly Dictionary<string, CommandHandler> _handlers = new(StringComparer.Ordinal);
    private PaletteDefinition? _definition;

    protected CommandPalette(string name, string description)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        _description = description;
    }

    public PaletteDefinition Definition => _definition ??= new PaletteDefinition(_name, _description, _commands.ToArray());

    /// <summary>Declares a command; call from the constructor only.</summary>
    protected void AddCommand(CommandDefinition definition, CommandHandler handler)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(handler);
        if (_definition is not null)
            throw new InvalidOperationException($"Palette '{_name}': commands must be added in the constructor.");
        if (!_handlers.TryAdd(definition.Name, handler))
            throw new InvalidOperationException($"Palette '{_name}' already has a command '{definition.Name}'.");
        _commands.Add(definition);
    }

    public Task<int> ExecuteAsync(CommandRequest request, ICommandOutput output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _handlers.TryGetValue(request.Command, out var handler)
            ? handler(request, output, cancellationToken)
            : throw new InvalidOperationException($"Palette '{_name}' has no command '{request.Command}'.");
    }
}

/// <summary>
/// Thrown by a palette to end a command with a message for the user and a chosen exit code
/// (for example <see cref="ExitCodes.UsageError"/> for "no shard region 'x'; regions: a, b").
/// The message is shown as is, so say what was wrong and what to do.
/// </summary>
public sealed class CommandException : Exception
{
    public CommandException() : this("the command failed")
    {
    }

    public CommandException(string message) : this(message, ExitCodes.CommandFailed)
    {
    }

    public CommandException(string message, Exception innerException) : base(message, innerException) =>
        ExitCode = ExitCodes.CommandFailed;

    public CommandException(string message, int exitCode) : base(message) => ExitCode = exitCode;

    /// <summary>The exit code the client ends with.</summary>
    public int ExitCode { get; }
}
