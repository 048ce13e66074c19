using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Domain.ServiceProxy;

namespace Orchestrator.NodeAgent.Proxy;

/// <summary>Opens a TCP connection to an endpoint, however it is reached from this node.</summary>
public interface IEndpointDialer
{
    /// <summary>A connected socket to <paramref name="endpoint"/>; throws (<see cref="SocketException"/>, <see cref="TimeoutException"/>, <see cref="IOException"/>) when it cannot be reached.</summary>
    Task<Socket> ConnectAsync(ProxyEndpoint endpoint, CancellationToken ct);
}

/// <summary>
/// Pods of this node (and endpoints whose node is not known) are connected to directly on the pod
/// network; pods of another node only through that node's relay (<see cref="ServiceRelay"/>, at the
/// address its Node announces in <see cref="ServiceProxySettings.RelayAnnotation"/>), since pod
/// addresses of other nodes are not routable from here. Each connect has <paramref name="timeout"/>.
/// </summary>
public sealed class EndpointDialer(string localNode, TimeSpan timeout) : IEndpointDialer
{
    private readonly ConcurrentDictionary<string, IPEndPoint> _relays = new(StringComparer.Ordinal);

    /// <summary>Records (or, with null, forgets) the relay of node <paramref name="node"/>.</summary>
    public void SetRelay(string node, IPEndPoint? relay)
    {
        if (relay is null) _relays.TryRemove(node, out _);
        else _relays[node] = relay;
    }

    public async Task<Socket> ConnectAsync(ProxyEndpoint endpoint, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var target = new IPEndPoint(IPAddress.Parse(endpoint.Address), endpoint.Port);
        if (endpoint.NodeName is null || endpoint.NodeName == localNode)
            return await ConnectWithin(target, timeout, ct);
        // Not directly: on real hosts another node's pod address leads nowhere from here.
        if (!_relays.TryGetValue(endpoint.NodeName, out var relay))
            throw new IOException($"node {endpoint.NodeName} announces no service relay, so its pod {target} cannot be reached from here");

        var socket = await ConnectWithin(relay, timeout, ct);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout * 2);
            await socket.SendAsync(Encoding.ASCII.GetBytes(ServiceRelay.Request(target)), deadline.Token);
            var answer = await ServiceRelay.ReadLineAsync(socket, deadline.Token);
            if (answer != ServiceRelay.Connected)
                throw new IOException($"the relay of node {endpoint.NodeName} at {relay} could not reach {target}: {answer ?? "closed"}");
            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"the relay of node {endpoint.NodeName} at {relay} did not reach {target} in time");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A socket connected to <paramref name="target"/> within <paramref name="timeout"/>.</summary>
    public static async Task<Socket> ConnectWithin(IPEndPoint target, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(target, deadline.Token);
            return socket;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException($"connect to {target} took longer than {timeout.TotalMilliseconds:0} ms");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
