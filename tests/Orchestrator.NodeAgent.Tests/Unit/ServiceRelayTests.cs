using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Domain.ServiceProxy;
using Orchestrator.NodeAgent.Proxy;

namespace Orchestrator.NodeAgent.Tests.Unit;

/// <summary>The dialer and the relay on loopback: a remote node's endpoint is reached through that node's relay, which relays to its own pod subnet only.</summary>
public sealed class ServiceRelayTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private readonly TcpListener _pod = new(IPAddress.Loopback, 0);
    private readonly ServiceRelay _relay;

    public ServiceRelayTests()
    {
        _pod.Start();
        _ = EchoLoop();
        // The "pod network" of node b is loopback here.
        _relay = new ServiceRelay(new IPEndPoint(IPAddress.Loopback, 0), IPNetwork.Parse("127.0.0.0/8"), Timeout, NullLogger.Instance);
        _relay.Start();
    }

    private int PodPort => ((IPEndPoint)_pod.LocalEndpoint).Port;

    private async Task EchoLoop()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _pod.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client) await client.GetStream().CopyToAsync(client.GetStream());
            });
        }
    }

    [Fact]
    public async Task A_pod_of_another_node_is_reached_through_that_nodes_relay()
    {
        var dialer = new EndpointDialer("a", Timeout);
        dialer.SetRelay("b", _relay.LocalEndPoint);
        using var socket = await dialer.ConnectAsync(new ProxyEndpoint("127.0.0.1", PodPort, "b", true, true, false), CancellationToken.None);
        await socket.SendAsync(Encoding.ASCII.GetBytes("through the relay"));
        var buffer = new byte[64];
        var read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout);
        Assert.Equal("through the relay", Encoding.ASCII.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task A_pod_of_a_node_without_a_relay_is_not_reached_directly()
    {
        var dialer = new EndpointDialer("a", Timeout);
        var e = await Assert.ThrowsAsync<IOException>(() => dialer.ConnectAsync(new ProxyEndpoint("127.0.0.1", PodPort, "c", true, true, false), CancellationToken.None));
        Assert.Contains("node c announces no service relay", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_relay_refuses_an_address_outside_its_pod_network_and_a_closed_port()
    {
        using var outside = await EndpointDialer.ConnectWithin(_relay.LocalEndPoint!, Timeout, CancellationToken.None);
        await outside.SendAsync(Encoding.ASCII.GetBytes(ServiceRelay.Request(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 80))));
        Assert.StartsWith("ERR 192.0.2.1 is not on this node's pod network", await ServiceRelay.ReadLineAsync(outside, CancellationToken.None), StringComparison.Ordinal);

        var dialer = new EndpointDialer("a", Timeout);
        dialer.SetRelay("b", _relay.LocalEndPoint);
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var e = await Assert.ThrowsAsync<IOException>(() => dialer.ConnectAsync(new ProxyEndpoint("127.0.0.1", closedPort, "b", true, true, false), CancellationToken.None));
        Assert.Contains("could not reach", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _relay.Dispose();
        _pod.Stop();
        _pod.Dispose();
    }
}
