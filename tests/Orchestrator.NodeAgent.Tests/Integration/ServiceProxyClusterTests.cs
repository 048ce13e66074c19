using System.Net;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Two nodes, each with its pods on a Docker network of its own (isolated from the other's, as
/// pod networks of real hosts are not routable between them), and NodePorts on an address of its
/// own: a Service whose pods all run on one node answers on both nodes' NodePorts and to a pod of
/// the other node by ClusterIP, through the pods' node's endpoint relay.
/// </summary>
public sealed class ServiceProxyClusterTests(ITestOutputHelper output)
{
    [ClusterFact]
    public async Task A_NodePort_answers_on_both_nodes_and_a_ClusterIP_from_the_other_nodes_pod_when_all_servers_run_on_one_node()
    {
        await using var cluster = await TestCluster.CreateAsync();
        var a = cluster.Launch(seed: null, environment: new Dictionary<string, string> { ["ORCHESTRATOR_PROXY_ADDRESS"] = "127.0.0.2" });
        var b = cluster.Launch(seed: a, environment: new Dictionary<string, string> { ["ORCHESTRATOR_PROXY_ADDRESS"] = "127.0.0.3" });
        await TestCluster.WaitReadyAsync(a, b);
        var traffic = new ServiceTraffic(TestCluster.KubectlFor(a), Directory.CreateTempSubdirectory("orchestrator-proxy-").FullName, cluster.Outputs);
        await cluster.WaitForAsync(async () =>
        {
            var nodes = (await traffic.Kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
            return nodes.Contains(a.NodeName, StringComparison.Ordinal) && nodes.Contains(b.NodeName, StringComparison.Ordinal) ? nodes : null;
        }, ServiceTraffic.Patience, "both nodes registered");

        await traffic.ApplyAsync(ServiceTraffic.WebServers("web", 2, nodeName: a.NodeName), ServiceTraffic.Service("web", type: "NodePort"),
            ServiceTraffic.ClientPod("client-b", nodeName: b.NodeName));
        await traffic.WaitForEndpointsAsync("web", 2);
        var servers = await traffic.PodNamesAsync("app=web");
        var nodePort = await traffic.NodePortAsync("web");
        var ip = await traffic.ClusterIpAsync("web");

        // Each node's pods are on its own network: the servers' addresses are not in the client's /24.
        var clientIp = (await traffic.Kubectl.RunAsync("get pod client-b -o jsonpath={.status.podIP}")).EnsureSuccess().Stdout;
        await Poll.Until(async () => (clientIp = (await traffic.Kubectl.RunAsync("get pod client-b -o jsonpath={.status.podIP}")).Stdout).Length > 0, ServiceTraffic.Patience, "the client pod's address");
        var clientNet = new IPNetwork(IPAddress.Parse(clientIp), 24);
        Assert.All(await traffic.EndpointsAsync("web"), server => Assert.False(clientNet.Contains(IPAddress.Parse(server)), $"{server} is on the client's network {clientNet}"));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        foreach (var node in new[] { "127.0.0.2", "127.0.0.3" })
        {
            var seen = new HashSet<string>();
            await Poll.Until(async () =>
            {
                seen.Add((await http.GetStringAsync($"http://{node}:{nodePort}/")).Trim());
                return servers.All(seen.Contains);
            }, ServiceTraffic.Patience, $"both servers to answer on NodePort {node}:{nodePort}", tolerate: e => e is HttpRequestException or TaskCanceledException, detail: cluster.Outputs);
            output.WriteLine($"{node}:{nodePort} answered by {string.Join(", ", seen)}");
        }

        // From a pod of node B (whose network does not route to node A's pods) by ClusterIP.
        var answers = await Poll.For(async () =>
        {
            var got = await traffic.AnswersAsync("client-b", $"http://{ip}/", 6);
            return servers.All(got.Contains) ? got : null;
        }, ServiceTraffic.Patience, "both servers to answer node B's pod through the ClusterIP");
        output.WriteLine("from client-b: " + string.Join(", ", answers));
    }
}
