using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost.Internal;

/// <summary>
/// One client connection: handshake, then execute/cancel requests until the client leaves.
/// Commands run concurrently with the read loop so a cancel can arrive while one runs.
/// </summary>
/// <remarks>
/// <code>
///   AwaitingHello --hello(version ok)--> Ready --execute--> Ready (+1 running command)
///        |                                 |  --cancel---> Ready (that command's token fires)
///        |                                 |  --EOF/error-> Closed (running commands cancelled)
///        +--anything else / bad version--> error sent, Closed
/// </code>
/// </remarks>
internal sealed class CommandSession
{
    /// <summary>The error of a command cancelled by its client.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The error of a command cancelled because the host stops.</summary>
    public const string ShuttingDown = "the command host is shutting down (the node is stopping)";

    /// <summary>A client must say hello within this time, so idle half-open connections do not pile up.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Commands one connection may run at once; pbm runs one, so more is a misbehaving client.</summary>
    public const int MaxConcurrentCommands = 8;

    private readonly ProtocolConnection _connection;
    private readonly CommandHostContext _context;
    private readonly string _remote;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private CancellationToken _hostStopping;

    public CommandSession(ProtocolConnection connection, CommandHostContext context, string remote)
    {
        _connection = connection;
        _context = context;
        _remote = remote;
    }

    public async Task RunAsync(CancellationToken hostStopping)
    {
        _hostStopping = hostStopping;
        var commands = new List<Task>();
        try
        {
            using (var handshakeDeadline = CancellationTokenSource.CreateLinkedTokenSource(hostStopping))
            {
                handshakeDeadline.CancelAfter(HandshakeTimeout);
                try
                {
                    if (!await HandshakeAsync(handshakeDeadline.Token))
                        return;
                }
                catch (OperationCanceledException) when (!hostStopping.IsCancellationRequested)
                {
                    _context.Logger.LogDebug("pbm client {Remote} sent no hello within {Timeout}", _remote, HandshakeTimeout);
                    await TryWriteAsync(new ProtocolError($"no hello within {HandshakeTimeout.TotalSeconds:0} seconds"));
                    return;
                }
            }

            while (await _connection.ReadAsync(hostStopping) is { } message)
            {
                switch (message)
                {
                    case ExecuteCommand execute:
                        commands.RemoveAll(task => task.IsCompleted);
                        commands.Add(StartCommand(execute, hostStopping));
                        break;
                    case CancelCommand cancel:
                        if (_running.TryGetValue(cancel.RequestId, out var source))
                        {
                            _context.Logger.LogInformation("pbm client {Remote} cancelled request {RequestId}", _remote, cancel.RequestId);
                            await CancelQuietlyAsync(source);
                        }
                        break;
                    default:
                        await _connection.WriteAsync(
                            new ProtocolError($"unexpected message '{message.GetType().Name}' after the handshake"), hostStopping);
                        return;
                }
            }
        }
        catch (ProtocolException e)
        {
            _context.Logger.LogWarning("pbm client {Remote} broke the protocol: {Reason}", _remote, e.Message);
            await TryWriteAsync(new ProtocolError(e.Message));
        }
        catch (OperationCanceledException) when (hostStopping.IsCancellationRequested)
        {
            // host shutdown
        }
        catch (IOException e)
        {
            _context.Logger.LogDebug("pbm client {Remote} connection lost: {Reason}", _remote, e.Message);
        }
        finally
        {
            foreach (var source in _running.Values)
                await CancelQuietlyAsync(source);
            await Task.WhenAll(commands);
        }
    }

    private async Task<bool> HandshakeAsync(CancellationToken cancellationToken)
    {
        var first = await _connection.ReadAsync(cancellationToken);
        switch (first)
        {
            case null:
                return false;
            case ClientHello { ProtocolVersion: ProtocolMessage.CurrentVersion }:
                await _connection.WriteAsync(
                    new HostWelcome(ProtocolMessage.CurrentVersion, _context.NodeName, _context.Authorization.TokenRequiredForAll,
                        _context.Palettes.Values.Select(p => p.Definition).ToArray()),
                    cancellationToken);
                return true;
            case ClientHello hello:
                await _connection.WriteAsync(new ProtocolError(
                    $"this command host speaks protocol version {ProtocolMessage.CurrentVersion}, the client {hello.Client} " +
                    $"speaks {hello.ProtocolVersion}: use a pbm of the same release as the node."), cancellationToken);
                return false;
            default:
                await _connection.WriteAsync(
                    new ProtocolError($"expected 'hello' first, got '{first.GetType().Name}'"), cancellationToken);
                return false;
        }
    }

    private Task StartCommand(ExecuteCommand execute, CancellationToken hostStopping)
    {
        if (_running.Count >= MaxConcurrentCommands)
            return TryWriteAsync(new CommandCompleted(execute.RequestId, ExitCodes.UsageError,
                $"this connection already runs {MaxConcurrentCommands} commands; wait for one to finish"));
        var source = CancellationTokenSource.CreateLinkedTokenSource(hostStopping);
        if (!_running.TryAdd(execute.RequestId, source))
        {
            source.Dispose();
            return TryWriteAsync(new CommandCompleted(execute.RequestId, ExitCodes.UsageError,
                $"request id '{execute.RequestId}' is already running on this connection"));
        }
        return Task.Run(() => ExecuteAsync(execute, source), CancellationToken.None);
    }

    private async Task ExecuteAsync(ExecuteCommand execute, CancellationTokenSource source)
    {
        var commandLine = $"{execute.Palette} {execute.Command}";
        CommandCompleted completion;
        Interlocked.Increment(ref _context.ActiveCommands);
        try
        {
            completion = await RunValidatedAsync(execute, commandLine, source.Token);
        }
        finally
        {
            _running.TryRemove(execute.RequestId, out _);
            source.Dispose();
            Interlocked.Decrement(ref _context.ActiveCommands);
        }
        await TryWriteAsync(completion);
    }

    private async Task<CommandCompleted> RunValidatedAsync(ExecuteCommand execute, string commandLine, CancellationToken cancellationToken)
    {
        var validation = _context.Validator.Validate(execute);
        if (validation.Error is not null)
            return new CommandCompleted(execute.RequestId, ExitCodes.UsageError, validation.Error);

        var refusal = _context.Authorization.Refusal(commandLine, validation.Command!, execute.Token);
        if (refusal is not null)
        {
            _context.Logger.LogWarning("pbm client {Remote}: '{Command}' refused (token missing or wrong)", _remote, commandLine);
            return new CommandCompleted(execute.RequestId, ExitCodes.NotAuthorized, refusal);
        }

        _context.Logger.Log(validation.Command!.IsMutating ? LogLevel.Information : LogLevel.Debug,
            "pbm client {Remote} runs '{Command}' {Arguments}", _remote, commandLine,
            string.Join(" ", execute.Arguments.Select(pair =>
                // a file's content (a manifest, maybe with a Secret in it) is never logged, only its size
                validation.Command.FindSwitch(pair.Key) is { IsLocalFile: true }
                    ? $"--{pair.Key} <file content, {System.Text.Encoding.UTF8.GetByteCount(pair.Value)} bytes>"
                    : $"--{pair.Key} {pair.Value}")));
        var request = new CommandRequest(execute.Palette, execute.Command, execute.Arguments);
        var output = new ProtocolCommandOutput(_connection, execute.RequestId);
        try
        {
            var exitCode = await validation.Palette!.ExecuteAsync(request, output, cancellationToken);
            return new CommandCompleted(execute.RequestId, exitCode);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new CommandCompleted(execute.RequestId, ExitCodes.Cancelled,
                _hostStopping.IsCancellationRequested ? ShuttingDown : Cancelled);
        }
        catch (CommandException e)
        {
            return new CommandCompleted(execute.RequestId, e.ExitCode == ExitCodes.Success ? ExitCodes.CommandFailed : e.ExitCode, e.Message);
        }
        catch (Exception e)
        {
            _context.Logger.LogWarning(e, "pbm command '{Command}' failed", commandLine);
            return new CommandCompleted(execute.RequestId, ExitCodes.CommandFailed, $"'{commandLine}' failed: {e.Message}");
        }
    }

    /// <summary>Cancels a running command; it may have finished (and disposed its source) a moment ago.</summary>
    private static async Task CancelQuietlyAsync(CancellationTokenSource source)
    {
        try
        {
            await source.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // the command completed meanwhile; its completion is on its way to the client
        }
    }

    private async Task TryWriteAsync(ProtocolMessage message)
    {
        try
        {
            await _connection.WriteAsync(message, CancellationToken.None);
        }
        catch (IOException)
        {
            // the client is gone; nothing to tell it
        }
        catch (ObjectDisposedException)
        {
            // likewise
        }
    }
}
