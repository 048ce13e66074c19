using System.Net.Sockets;
using System.Text;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>One node whose service proxy the tests of <see cref="ServiceProxyTests"/> share (each uses Services and Deployments of its own names).</summary>
public sealed class ServiceProxyNode : IAsyncLifetime
{
    public AgentNode Node { get; private set; } = null!;

    public ServiceTraffic Traffic { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (RealParts.DockerUnavailable is not null) return;
        Node = await AgentNode.StartAsync(extraConfig: "orchestrator.node-agent.resync-interval = 1s");
        Traffic = new ServiceTraffic(Node.Kubectl, Directory.CreateTempSubdirectory("orchestrator-proxy-").FullName, () => string.Join('\n', Node.Node.Output.Split('\n').TakeLast(40)));
    }

    public async Task DisposeAsync()
    {
        if (Node is not null) await Node.DisposeAsync();
    }
}

/// <summary>
/// The service proxy end to end on the real engine with the real kubectl: pods reach a ClusterIP
/// (from the node's pod network), the host reaches NodePorts on the node's address (127.0.0.1 in
/// tests), TCP and UDP, following the endpoints' readiness.
/// </summary>
public sealed class ServiceProxyTests(ServiceProxyNode fixture, ITestOutputHelper output) : IClassFixture<ServiceProxyNode>
{
    private ServiceTraffic Traffic => fixture.Traffic;

    [DockerFact]
    public async Task Requests_to_a_ClusterIP_land_on_both_servers_and_a_server_failing_readiness_gets_no_new_ones()
    {
        await Traffic.ApplyAsync(ServiceTraffic.WebServers("web", 2), ServiceTraffic.Service("web"), ServiceTraffic.ClientPod("web-client"));
        await Traffic.WaitForEndpointsAsync("web", 2);
        var ip = await Traffic.ClusterIpAsync("web");
        var servers = await Traffic.PodNamesAsync("app=web");
        Assert.Equal(2, servers.Count);

        // Round robin: both servers answer (polled: the client pod and the proxy's rules come up meanwhile).
        IReadOnlyList<string> seen = [];
        var answers = await Poll.For(async () =>
        {
            seen = await Traffic.AnswersAsync("web-client", $"http://{ip}/", 6);
            return servers.All(seen.Contains) ? seen : null;
        }, ServiceTraffic.Patience, "both servers to answer through the ClusterIP", detail: () => $"servers {string.Join(", ", servers)}; last answers: {string.Join(", ", seen)}");
        output.WriteLine("answers: " + string.Join(", ", answers));

        // By the variables the node agent gave the client (the Service existed when it started).
        var byVariables = await Traffic.ShAsync("web-client", "timeout 5 wget -q -O - http://$WEB_SERVICE_HOST:$WEB_SERVICE_PORT/");
        Assert.Contains(byVariables.EnsureSuccess().Stdout.Trim(), servers);

        // One server fails its readiness probe: once its endpoint is not ready, no request reaches it.
        var failing = servers[0];
        (await Traffic.ShAsync(failing, "rm /tmp/ready")).EnsureSuccess();
        await Poll.Until(async () => (await Traffic.EndpointsAsync("web", ready: false)).Count == 1, ServiceTraffic.Patience, "the failing server's endpoint to be not ready");
        await Poll.Until(async () => (await Traffic.AnswersAsync("web-client", $"http://{ip}/", 4)).All(a => a == servers[1]), ServiceTraffic.Patience, "only the ready server to answer");
        var later = await Traffic.AnswersAsync("web-client", $"http://{ip}/", 10);
        Assert.All(later, a => Assert.Equal(servers[1], a));

        // Scaled to zero: refused at once (a hang would end in nc's timeout instead).
        (await Traffic.Kubectl.RunAsync("scale deployment web --replicas=0")).EnsureSuccess();
        await Poll.Until(async () => (await Traffic.EndpointsAsync("web")).Count == 0 && (await Traffic.EndpointsAsync("web", ready: false)).Count == 0, ServiceTraffic.Patience, "no endpoints left");
        var refused = await Poll.For(async () =>
        {
            var result = await Traffic.ShAsync("web-client", $"nc -w 10 {ip} 80 </dev/null");
            return result.Stderr.Contains("refused", StringComparison.OrdinalIgnoreCase) ? result : null;
        }, ServiceTraffic.Patience, "a connection to the ClusterIP to be refused");
        Assert.NotEqual(0, refused.ExitCode);
    }

    [DockerFact]
    public async Task A_long_connection_through_a_NodePort_survives_an_unrelated_endpoint_change()
    {
        await Traffic.ApplyAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: echo}
            spec:
              replicas: 1
              selector: {matchLabels: {app: echo}}
              template:
                metadata: {labels: {app: echo}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: echo
                    image: orchestrator/busybox:v2
                    command: [nc, -ll, -p, "7000", -e, cat]
                    ports: [{containerPort: 7000, name: echo}]
            """, ServiceTraffic.Service("echo", type: "NodePort", port: 7000, targetPort: "echo"));
        await Traffic.WaitForEndpointsAsync("echo", 1);
        var nodePort = await Traffic.NodePortAsync("echo");

        var client = await Poll.For(async () =>
        {
            var tcp = new TcpClient();
            try
            {
                await tcp.ConnectAsync("127.0.0.1", nodePort);
                if (await EchoAsync(tcp.GetStream(), "one") == "one") return tcp;
            }
            catch (Exception e) when (e is SocketException or IOException or TimeoutException)
            {
            }
            tcp.Dispose();
            return null;
        }, ServiceTraffic.Patience, "the echo server to answer on the NodePort");
        var stream = client.GetStream();
        using (client)
        {
            (await Traffic.Kubectl.RunAsync("scale deployment echo --replicas=2")).EnsureSuccess();
            await Traffic.WaitForEndpointsAsync("echo", 2);
            Assert.Equal("two", await EchoAsync(stream, "two"));
        }
    }

    [DockerFact]
    public async Task Datagrams_to_a_UDP_Service_are_echoed_from_a_pod_by_ClusterIP_and_from_the_host_by_NodePort()
    {
        await Traffic.ApplyAsync("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: udp}
            spec:
              replicas: 1
              selector: {matchLabels: {app: udp}}
              template:
                metadata: {labels: {app: udp}}
                spec:
                  terminationGracePeriodSeconds: 1
                  containers:
                  - name: echo
                    image: orchestrator/udp-echo:v1
                    args: ["5353"]
                    ports: [{containerPort: 5353, protocol: UDP, name: echo}]
            """, ServiceTraffic.Service("udp", type: "NodePort", port: 53, targetPort: "echo", protocol: "UDP"),
            ServiceTraffic.ClientPod("udp-client", image: "orchestrator/udp-echo:v1", command: "[/udp-echo, \"9\"]"));
        await Traffic.WaitForEndpointsAsync("udp", 1);
        var ip = await Traffic.ClusterIpAsync("udp");
        var nodePort = await Traffic.NodePortAsync("udp");

        await Poll.Until(async () => (await Traffic.Kubectl.RunAsync($"exec udp-client -- /udp-echo -c {ip} 53 hello-by-clusterip")).Stdout.Trim() == "hello-by-clusterip",
            ServiceTraffic.Patience, "the UDP echo to answer a pod through the ClusterIP");

        using var udp = new UdpClient("127.0.0.1", nodePort);
        var answer = await Poll.For(async () =>
        {
            await udp.SendAsync(Encoding.ASCII.GetBytes("hello-by-nodeport"));
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                return Encoding.ASCII.GetString((await udp.ReceiveAsync(wait.Token)).Buffer);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }, ServiceTraffic.Patience, "the UDP echo to answer the host through the NodePort", tolerate: e => e is SocketException);
        Assert.Equal("hello-by-nodeport", answer);
    }

    private static async Task<string?> EchoAsync(NetworkStream stream, string line)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"));
        var buffer = new byte[64];
        var received = new StringBuilder();
        while (!received.ToString().Contains('\n', StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            if (read == 0) return null;
            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        return received.ToString().Trim();
    }
}
