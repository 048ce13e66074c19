using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Orchestrator.Domain.ServiceProxy;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>
/// One UDP socket of a Service port: datagrams of each client address go to the endpoint picked
/// for its first one, through an upstream socket of that flow whose answers are sent back to the
/// client from the Service's address; a flow idle for the idle timeout is closed. Datagrams with
/// no endpoint are dropped. UDP goes to the pod's address directly, on any node (see docs/services.md).
/// </summary>
public sealed class UdpServiceListener : IDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<EndpointPicker> _picker;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idle;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<IPEndPoint, Flow> _flows = new();
    private readonly ITimer _sweep;

    private sealed class Flow(Socket upstream, ProxyEndpoint endpoint)
    {
        public Socket Upstream { get; } = upstream;
        public ProxyEndpoint Endpoint { get; } = endpoint;
        public long LastUsedTicks;
    }

    /// <exception cref="SocketException">The address is taken or not local.</exception>
    public UdpServiceListener(IPEndPoint bind, string? device, Func<EndpointPicker> picker, TimeProvider time, TimeSpan idleTimeout, ILogger log)
    {
        _picker = picker;
        _time = time;
        _idle = idleTimeout;
        _log = log;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (device is not null) TcpServiceListener.BindToDevice(_socket, device);
            _socket.Bind(bind);
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
        _sweep = time.CreateTimer(_ => Sweep(), null, idleTimeout / 2, idleTimeout / 2);
        _ = ReceiveLoop();
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            }
            catch (SocketException)
            {
                continue; // an ICMP error of an earlier send; the socket still works
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            var client = (IPEndPoint)received.RemoteEndPoint;
            try
            {
                if (FlowOf(client) is not { } flow) continue;
                flow.LastUsedTicks = _time.GetUtcNow().UtcTicks;
                await flow.Upstream.SendAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, _stop.Token);
            }
            catch (Exception e) when (e is SocketException)
            {
                _log.LogDebug("UDP datagram from {Client} not forwarded: {Error}", client, e.Message);
                if (_flows.TryRemove(client, out var broken)) broken.Upstream.Dispose();
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
        }
    }

    private Flow? FlowOf(IPEndPoint client)
    {
        if (_flows.TryGetValue(client, out var flow)) return flow;
        if (_picker().Pick(client.Address.ToString(), _time.GetUtcNow()) is not { } endpoint) return null;
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        upstream.Connect(new IPEndPoint(IPAddress.Parse(endpoint.Address), endpoint.Port));
        flow = new Flow(upstream, endpoint);
        _flows[client] = flow;
        _ = ReplyLoop(client, flow);
        return flow;
    }

    private async Task ReplyLoop(IPEndPoint client, Flow flow)
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var read = await flow.Upstream.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                flow.LastUsedTicks = _time.GetUtcNow().UtcTicks;
                await _socket.SendToAsync(buffer.AsMemory(0, read), SocketFlags.None, client, _stop.Token);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                // The endpoint's port is closed (ICMP): keep the flow; the next datagram may find it open.
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                _flows.TryRemove(new KeyValuePair<IPEndPoint, Flow>(client, flow));
                flow.Upstream.Dispose();
                return;
            }
        }
    }

    /// <summary>Ends the flows to endpoints no longer usable: their clients' next datagrams go to a current endpoint.</summary>
    public void DropFlowsNotIn(IReadOnlyCollection<ProxyEndpoint> usable)
    {
        foreach (var (client, flow) in _flows)
        {
            if (usable.Contains(flow.Endpoint)) continue;
            if (_flows.TryRemove(new KeyValuePair<IPEndPoint, Flow>(client, flow))) flow.Upstream.Dispose();
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow().UtcTicks;
        foreach (var (client, flow) in _flows)
        {
            if (now - Interlocked.Read(ref flow.LastUsedTicks) < _idle.Ticks) continue;
            if (_flows.TryRemove(new KeyValuePair<IPEndPoint, Flow>(client, flow))) flow.Upstream.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sweep.Dispose();
        _socket.Dispose();
        foreach (var flow in _flows.Values) flow.Upstream.Dispose();
        _flows.Clear();
        _stop.Dispose();
    }
}
