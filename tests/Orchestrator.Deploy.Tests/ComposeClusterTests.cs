using System.Diagnostics;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Deploy.Tests;

/// <summary>
/// The compose cluster end to end, as a user runs it: three Ready nodes, a Deployment spread over
/// them and reached through a NodePort on every node, a node container killed and its pods replaced
/// on the other two (the time is printed, not asserted), the whole project restarted with every
/// object and resourceVersion kept, and no container of the node agents orphaned or duplicated.
/// </summary>
public sealed class ComposeClusterTests(ITestOutputHelper output)
{
    private void Log(string line) => output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.f}] {line}");

    [ComposeFact]
    public async Task Three_node_containers_run_a_deployment_survive_a_killed_node_and_a_restart_of_everything()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await ComposeCluster.UpAsync(Log);
        await ClusterChecks.AwaitReadyNodesAsync(cluster, ComposeCluster.Nodes, TimeSpan.FromMinutes(3));
        Log($"three nodes Ready {total.Elapsed.TotalSeconds:0.0} s after the start");

        var kubectl = await cluster.KubectlAsync("node-2");
        (await kubectl.RunAsync("apply -f -", ClusterChecks.Workload)).EnsureSuccess();
        var pods = await ClusterChecks.AwaitRunningPodsAsync(kubectl, 6, ComposeCluster.Nodes, TimeSpan.FromMinutes(2));
        var spread = pods.GroupBy(p => p.Node).ToDictionary(g => g.Key, g => g.Count());
        Log("pods per node: " + string.Join(", ", spread.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}")));
        Assert.Equal(ComposeCluster.Nodes, spread.Keys.Order());

        var service = JsonNode.Parse((await kubectl.RunAsync("get service web -o json")).EnsureSuccess().Stdout)!;
        var nodePort = service["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>();
        foreach (var node in ComposeCluster.Nodes) await ClusterChecks.AwaitNodePortAsync(node, nodePort);
        Log($"the Service answers on NodePort {nodePort} of every node");

        // A node container dies: its pods are replaced on the other two.
        var killed = pods.Where(p => p.Node == "node-1").Select(p => p.Name).ToHashSet();
        var watch = Stopwatch.StartNew();
        (await ComposeCluster.DockerAsync("kill", cluster.Container("node-1"))).EnsureSuccess();
        var replaced = await ClusterChecks.AwaitRunningPodsAsync(kubectl, 6, ["node-2", "node-3"], TimeSpan.FromSeconds(90));
        Log($"FAILOVER: node-1 killed, its {killed.Count} pods replaced and all 6 Running on node-2 and node-3 after {watch.Elapsed.TotalSeconds:0.0} s (goal 20 s)");
        Assert.Empty(replaced.Select(p => p.Name).Intersect(killed));

        // It comes back and rejoins; its agent removes the containers of the pods it lost.
        (await ComposeCluster.DockerAsync("start", cluster.Container("node-1"))).EnsureSuccess();
        await ClusterChecks.AwaitReadyNodesAsync(cluster, ComposeCluster.Nodes, TimeSpan.FromMinutes(2));
        Log($"node-1 Ready again {watch.Elapsed.TotalSeconds:0.0} s after the kill");
        await ClusterChecks.AwaitContainersMatchPodsAsync(kubectl, Log, TimeSpan.FromSeconds(90));

        // The whole project restarted: the same objects at the same resourceVersions, the same pods.
        var before = await ClusterChecks.VersionsAsync(kubectl);
        watch.Restart();
        (await cluster.ComposeAsync(TimeSpan.FromMinutes(3), "restart", "-t", "20")).EnsureSuccess();
        await ClusterChecks.AwaitReadyNodesAsync(cluster, ComposeCluster.Nodes, TimeSpan.FromMinutes(3));
        Log($"whole project restarted, three nodes Ready after {watch.Elapsed.TotalSeconds:0.0} s");
        kubectl = await cluster.KubectlAsync("node-3");
        var after = await ClusterChecks.VersionsAsync(kubectl);
        Assert.Equal(before.OrderBy(v => v.Key), after.OrderBy(v => v.Key));
        await ClusterChecks.AwaitRunningPodsAsync(kubectl, 6, ComposeCluster.Nodes, TimeSpan.FromMinutes(1));
        await ClusterChecks.AwaitContainersMatchPodsAsync(kubectl, Log, TimeSpan.FromSeconds(90));
        foreach (var node in ComposeCluster.Nodes) await ClusterChecks.AwaitNodePortAsync(node, nodePort);
        Log($"end to end in {total.Elapsed.TotalSeconds:0.0} s");
    }
}
