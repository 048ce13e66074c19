using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.CommandHost.Internal;
using Orchestrator.CommandHost.Protocol;

namespace Orchestrator.CommandHost;

/// <summary>
/// The TCP server `pbm` connects to: accepts connections, runs the handshake and dispatches
/// commands to the registered palettes. Independent of hosting, so tests can run it directly;
/// in a node process use <see cref="CommandHostService"/>.
/// </summary>
/// <remarks>
/// <code>
///   Created --StartAsync--> Listening --StopAsync/DisposeAsync--> Stopped
///   Listening --StartAsync--> InvalidOperationException (start once)
///   Stopped   --StartAsync--> InvalidOperationException (not restartable)
/// </code>
/// </remarks>
public sealed class CommandHostServer : IAsyncDisposable
{
    /// <summary>Connections served at once; more are told so and closed (operators need a handful).</summary>
    public const int MaxConnections = 64;

    private readonly CommandHostSettings _settings;
    private readonly IReadOnlyDictionary<string, ICommandPalette> _palettes;
    private readonly string _nodeName;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _sessions = new();
    private TcpListener? _listener;
    private CommandHostContext? _context;
    private Task? _acceptLoop;
    private int _state; // 0 created, 1 listening, 2 stopped

    /// <param name="settings">Where to listen and where the token comes from.</param>
    /// <param name="palettes">The palettes to serve; names must be unique.</param>
    /// <param name="nodeName">Shown to clients on connect, normally the node's Akka address.</param>
    /// <param name="logger">Connection and refusal logs; never receives a token.</param>
    public CommandHostServer(
        CommandHostSettings settings,
        IEnumerable<ICommandPalette> palettes,
        string nodeName,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(palettes);
        _settings = settings;
        _nodeName = nodeName;
        _logger = logger ?? NullLogger.Instance;
        var byName = new Dictionary<string, ICommandPalette>(StringComparer.Ordinal);
        foreach (var palette in palettes)
        {
            var name = palette.Definition.Name;
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => char.IsWhiteSpace(c) || c == ':'))
                throw new ArgumentException($"Palette name '{name}' must be non-empty without spaces or colons.", nameof(palettes));
            if (!byName.TryAdd(name, palette))
                throw new ArgumentException($"Two palettes are named '{name}'.", nameof(palettes));
        }
        _palettes = byName;
    }

    /// <summary>The address actually bound (with the real port when the settings said 0); null before start.</summary>
    public IPEndPoint? BoundEndpoint { get; private set; }

    /// <summary>How many commands are running right now, over all connections.</summary>
    public int ActiveCommandCount => _context is null ? 0 : Volatile.Read(ref _context.ActiveCommands);

    /// <summary>Binds and starts accepting connections.</summary>
    /// <exception cref="InvalidOperationException">Already started, or bound beyond loopback without a token.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("The command host can be started only once.");

        var address = await _settings.ResolveBindAddressAsync(cancellationToken);
        var authorization = new CommandAuthorization(IPAddress.IsLoopback(address), _settings.ReadToken());
        _context = new CommandHostContext(_palettes, authorization, _nodeName, _logger);

        var listener = new TcpListener(address, _settings.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"The command host cannot listen on {_settings.Hostname}:{_settings.Port}: {e.Message}. " +
                $"Change {CommandHostSettings.ConfigPath}.hostname/port.", e);
        }
        _listener = listener;
        BoundEndpoint = (IPEndPoint)listener.LocalEndpoint;
        _logger.LogInformation(
            "pbm command host listening on {Endpoint} ({Palettes}); token {TokenPolicy}",
            BoundEndpoint, string.Join(", ", _palettes.Keys),
            authorization.TokenRequiredForAll ? "required for every command" : "required for mutating commands when configured");
        _acceptLoop = AcceptLoopAsync(listener, _context);
    }

    /// <summary>Stops listening, cancels running commands and waits for every connection to close.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
            return;
        await _stopping.CancelAsync();
        _listener?.Stop();
        if (_acceptLoop is not null)
            await _acceptLoop;
        await Task.WhenAll(_sessions.Keys);
        _logger.LogInformation("pbm command host on {Endpoint} stopped", BoundEndpoint);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync(TcpListener listener, CommandHostContext context)
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("pbm command host: accepting a connection failed: {Reason}", e.Message);
                continue;
            }

            if (_sessions.Count >= MaxConnections)
            {
                _logger.LogWarning("pbm command host: refusing {Remote}, already {Count} connections", client.Client.RemoteEndPoint, MaxConnections);
                _ = RefuseAsync(client);
                continue;
            }
            var session = RunSessionAsync(client, context);
            _sessions.TryAdd(session, true);
            _ = session.ContinueWith(done => _sessions.TryRemove(done, out _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static async Task RefuseAsync(TcpClient client)
    {
        using (client)
        {
            await using var connection = new ProtocolConnection(client.GetStream());
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await connection.WriteAsync(
                    new ProtocolError($"the command host already serves {MaxConnections} connections; try again later"), timeout.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // it only gets the courtesy of a reason when it listens
            }
        }
    }

    private async Task RunSessionAsync(TcpClient client, CommandHostContext context)
    {
        await Task.Yield();
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "unknown";
        _logger.LogDebug("pbm client {Remote} connected", remote);
        client.NoDelay = true;
        await using var connection = new ProtocolConnection(client.GetStream());
        try
        {
            await new CommandSession(connection, context, remote).RunAsync(_stopping.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
            _logger.LogDebug("pbm client {Remote}: {Reason}", remote, e.Message);
        }
        finally
        {
            client.Dispose();
            _logger.LogDebug("pbm client {Remote} disconnected", remote);
        }
    }
}
