using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.TestSupport;

/// <summary>
/// A loopback TCP relay a test controls: forwards 127.0.0.1:<see cref="Port"/> to a target port on
/// loopback, and can cut every open connection and refuse new ones (<see cref="Cut"/>) until
/// <see cref="Resume"/>: a database outage as its clients see it, without stopping the server
/// other tests share.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<TcpClient, TcpClient> _open = new();
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpRelay(int targetPort)
    {
        _target = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _accepting = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Resets every open connection and refuses (resets) new ones until <see cref="Resume"/>.</summary>
    public void Cut()
    {
        _cut = true;
        foreach (var (client, server) in _open)
        {
            Reset(client);
            Reset(server);
        }
        _open.Clear();
    }

    public void Resume() => _cut = false;

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (_cut)
            {
                Reset(client);
                continue;
            }
            _ = Task.Run(() => Relay(client));
        }
    }

    private async Task Relay(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
            _open[client] = server;
            using var both = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = client.GetStream().CopyToAsync(server.GetStream(), both.Token);
            var down = server.GetStream().CopyToAsync(client.GetStream(), both.Token);
            await Task.WhenAny(up, down);
            await both.CancelAsync();
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _open.TryRemove(client, out _);
            client.Dispose();
            server.Dispose();
        }
    }

    /// <summary>Closes with RST (linger 0), as a dropped connection looks to its peer.</summary>
    private static void Reset(TcpClient connection)
    {
        if (connection.Client is not { } socket) return; // already disposed
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Cut();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
