using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.ServiceProxy;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>
/// One TCP listener of a Service port (its ClusterIP:port on the pod network's bridge, or its node
/// port): each accepted connection goes to the endpoint <see cref="EndpointPicker"/> gives; a
/// connect that fails tries the next one; with none left the client's connection is reset at
/// once. Closing the listener leaves the connections it accepted open (they drain).
/// </summary>
public sealed class TcpServiceListener : IDisposable
{
    // Linux's SOL_SOCKET and SO_BINDTODEVICE (SetRawSocketOption passes them to setsockopt as they are).
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<EndpointPicker> _picker;
    private readonly IEndpointDialer _dialer;
    private readonly TimeProvider _time;
    private readonly ILogger _log;

    /// <param name="device">The interface to bind to (SO_BINDTODEVICE), so nodes sharing one host can each serve the same ClusterIP on their own bridge; null: none.</param>
    /// <exception cref="SocketException">The address is taken or not local.</exception>
    public TcpServiceListener(IPEndPoint bind, string? device, Func<EndpointPicker> picker, IEndpointDialer dialer, TimeProvider time, ILogger log)
    {
        _picker = picker;
        _dialer = dialer;
        _time = time;
        _log = log;
        _listener = new Socket(bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (device is not null) BindToDevice(_listener, device);
            _listener.Bind(bind);
            _listener.Listen(1024);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        _ = AcceptLoop.Run(_listener, Forward, _stop.Token);
    }

    /// <summary>Binds <paramref name="socket"/> to the interface <paramref name="device"/> (Linux SO_BINDTODEVICE).</summary>
    public static void BindToDevice(Socket socket, string device) =>
        socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(device + "\0"));


    private async Task Forward(Socket client)
    {
        client.NoDelay = true;
        var clientIp = (client.RemoteEndPoint as IPEndPoint)?.Address.ToString() ?? "";
        var picker = _picker();
        var failed = new List<ProxyEndpoint>();
        while (picker.Pick(clientIp, _time.GetUtcNow(), failed) is { } endpoint)
        {
            Socket upstream;
            try
            {
                upstream = await _dialer.ConnectAsync(endpoint, CancellationToken.None);
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                _log.LogDebug("endpoint {Endpoint} did not answer ({Error}); trying the next", endpoint, e.Message);
                failed.Add(endpoint);
                continue;
            }
            await Splice.RunAsync(client, upstream, CancellationToken.None);
            return;
        }
        Reset(client);
    }

    /// <summary>Closes with RST, so the client sees its connection refused at once instead of waiting.</summary>
    private static void Reset(Socket client)
    {
        try
        {
            client.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        client.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        _stop.Dispose();
    }
}
