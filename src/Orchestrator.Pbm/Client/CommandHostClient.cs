using System.Net.Sockets;
using Orchestrator.CommandHost.Protocol;
using Orchestrator.Pbm.Grammar;

namespace Orchestrator.Pbm.Client;

/// <summary>
/// One connection to a command host: connects and shakes hands (learning the host's palettes),
/// then runs commands one after another, passing output chunks to a callback as they arrive.
/// </summary>
internal sealed class CommandHostClient : IAsyncDisposable
{
    /// <summary>How long to wait for the host to confirm a cancel before giving up on it.</summary>
    public static readonly TimeSpan CancelGracePeriod = TimeSpan.FromSeconds(5);

    private readonly TcpClient _tcp;
    private readonly ProtocolConnection _connection;
    private int _nextRequestId;

    private CommandHostClient(HostEndpoint endpoint, TcpClient tcp, ProtocolConnection connection, HostWelcome welcome)
    {
        Endpoint = endpoint;
        _tcp = tcp;
        _connection = connection;
        Welcome = welcome;
    }

    public HostEndpoint Endpoint { get; }

    /// <summary>What the host said on connect: its node address and palettes.</summary>
    public HostWelcome Welcome { get; }

    /// <summary>Connects and shakes hands.</summary>
    /// <exception cref="HostUnavailableException">Nothing listens there, it timed out, or it is no command host.</exception>
    public static async Task<CommandHostClient> ConnectAsync(HostEndpoint endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var tcp = new TcpClient { NoDelay = true };
        ProtocolConnection? connection = null;
        try
        {
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, deadline.Token);
            connection = new ProtocolConnection(tcp.GetStream());
            await connection.WriteAsync(new ClientHello(ProtocolMessage.CurrentVersion, "pbm " + typeof(CommandHostClient).Assembly.GetName().Version), deadline.Token);
            var answer = await connection.ReadAsync(deadline.Token);
            return answer switch
            {
                HostWelcome welcome => new CommandHostClient(endpoint, tcp, connection, welcome),
                ProtocolError error => throw new HostUnavailableException($"the command host at {endpoint} refused the connection: {error.Message}"),
                null => throw new HostUnavailableException($"{endpoint} closed the connection during the handshake; is it a pbm command host?"),
                _ => throw new HostUnavailableException($"{endpoint} answered the handshake with '{answer.GetType().Name}'; is it a pbm command host?"),
            };
        }
        catch (Exception e) when (e is not HostUnavailableException)
        {
            if (connection is not null)
                await connection.DisposeAsync();
            tcp.Dispose();
            throw e switch
            {
                SocketException { SocketErrorCode: SocketError.ConnectionRefused } => new HostUnavailableException(
                    $"could not connect to a command host at {endpoint}: connection refused. Is the node running, and does " +
                    "its orchestrator.command-host hostname/port match? Give another address as 'pbm host:port ...'.", e),
                SocketException socket => new HostUnavailableException(
                    $"could not connect to a command host at {endpoint}: {socket.Message}.", e),
                OperationCanceledException when !cancellationToken.IsCancellationRequested => new HostUnavailableException(
                    $"could not connect to a command host at {endpoint}: no answer within {timeout.TotalSeconds:0} seconds.", e),
                ProtocolException protocol => new HostUnavailableException(
                    $"{endpoint} does not speak the pbm protocol: {protocol.Message}", e),
                IOException io => new HostUnavailableException($"the connection to {endpoint} failed: {io.Message}", e),
                _ => e,
            };
        }
        catch (HostUnavailableException)
        {
            if (connection is not null)
                await connection.DisposeAsync();
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs a command, handing each output chunk to <paramref name="onOutput"/>, and returns its
    /// completion. When <paramref name="cancellationToken"/> fires (Ctrl+C) a cancel goes to the
    /// host and the command's own completion is still awaited for <see cref="CancelGracePeriod"/>.
    /// </summary>
    public async Task<CommandCompleted> ExecuteAsync(
        ParsedCommand command, string? token, Func<ProtocolMessage, Task> onOutput, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(onOutput);
        var requestId = Interlocked.Increment(ref _nextRequestId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            await _connection.WriteAsync(new ExecuteCommand(requestId, command.Palette, command.Command, command.Arguments, token), CancellationToken.None);
        }
        catch (IOException e)
        {
            throw new HostUnavailableException($"the connection to {Endpoint} is gone ({e.Message}); reconnect with pbm {Endpoint}.", e);
        }

        using var readAbort = new CancellationTokenSource();
        await using var onCancel = cancellationToken.Register(() =>
        {
            _ = SendCancelAsync(requestId);
            readAbort.CancelAfter(CancelGracePeriod);
        });
        try
        {
            while (true)
            {
                var message = await _connection.ReadAsync(readAbort.Token)
                              ?? throw new HostUnavailableException($"the command host at {Endpoint} closed the connection while '{command.CommandLine}' ran.");
                switch (message)
                {
                    case CommandCompleted completed when completed.RequestId == requestId:
                        return completed;
                    case TextOutput or TableOutputMessage or JsonOutput:
                        await onOutput(message);
                        break;
                    case ProtocolError error:
                        throw new HostUnavailableException($"the command host at {Endpoint} ended the session: {error.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (readAbort.IsCancellationRequested)
        {
            return new CommandCompleted(requestId, ExitCodes.Cancelled,
                $"cancelled; the command host did not confirm within {CancelGracePeriod.TotalSeconds:0} seconds.");
        }
        catch (IOException e)
        {
            throw new HostUnavailableException($"the connection to {Endpoint} broke while '{command.CommandLine}' ran: {e.Message}", e);
        }
    }

    private async Task SendCancelAsync(string requestId)
    {
        try
        {
            await _connection.WriteAsync(new CancelCommand(requestId), CancellationToken.None);
        }
        catch (IOException)
        {
            // the connection is gone; the read loop reports it
        }
        catch (ObjectDisposedException)
        {
            // likewise
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>The command host cannot be reached or broke the conversation; the message names the address.</summary>
internal sealed class HostUnavailableException : Exception
{
    public HostUnavailableException()
    {
    }

    public HostUnavailableException(string message) : base(message)
    {
    }

    public HostUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
