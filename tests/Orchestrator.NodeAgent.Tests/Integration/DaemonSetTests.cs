using System.Text.Json.Nodes;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// A DaemonSet on a real two-member cluster (each member a node with its agent on the shared
/// Docker engine): one pod Running on each node, kubectl rollout status sees it complete, a member
/// that joins later gets its own pod, and an update of the template rolls over every node.
/// </summary>
public sealed class DaemonSetTests(ITestOutputHelper output)
{
    private static string DaemonSetYaml(string image) => $$"""
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
        spec:
          selector:
            matchLabels: {app: agent}
          template:
            metadata:
              labels: {app: agent}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: {{image}}
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exec sleep 3600"]
        """;

    private static async Task<List<JsonObject>> RunningDaemonPods(NodeProcess member, string image)
    {
        var pods = await TestCluster.PodsAsync(member, "app=agent");
        return pods.Where(p => p["metadata"]?["deletionTimestamp"] is null && TestCluster.Phase(p) == "Running"
                               && p["spec"]?["containers"]?[0]?["image"]?.GetValue<string>() == image).ToList();
    }

    [ClusterFact]
    public async Task One_pod_on_each_node_and_on_a_node_that_joins_later()
    {
        await using var cluster = await TestCluster.CreateAsync();
        var a = cluster.Launch(seed: null);
        var b = cluster.Launch(seed: a);
        await TestCluster.WaitReadyAsync(a, b);
        var kubectl = TestCluster.KubectlFor(a);
        await cluster.WaitForAsync(async () =>
        {
            var nodes = (await kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
            return new[] { a, b }.All(m => System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{m.NodeName}\s+Ready")) ? nodes : null;
        }, TimeSpan.FromSeconds(120), "both nodes Ready");

        (await kubectl.RunAsync($"apply -f {await cluster.WriteManifestAsync(DaemonSetYaml("orchestrator/busybox:v2"))}")).EnsureSuccess();
        var first = await cluster.WaitForAsync(async () =>
        {
            var pods = await RunningDaemonPods(a, "orchestrator/busybox:v2");
            return pods.Count == 2 ? pods : null;
        }, TimeSpan.FromSeconds(180), "a daemon pod Running on each of the two nodes");
        Assert.Equal(new[] { a.NodeName, b.NodeName }.Order(StringComparer.Ordinal), first.Select(p => TestCluster.NodeOf(p) ?? "").Order(StringComparer.Ordinal));
        (await kubectl.RunAsync("rollout status daemonset/agent --timeout=120s", timeout: TimeSpan.FromSeconds(130))).EnsureSuccess();
        var table = (await kubectl.RunAsync("get daemonset agent --no-headers")).EnsureSuccess().Stdout;
        Assert.Matches(@"^agent\s+2\s+2\s+2\s+2\s+2\s", table);

        var c = cluster.Launch(seed: a);
        await TestCluster.WaitReadyAsync(c);
        var three = await cluster.WaitForAsync(async () =>
        {
            var pods = await RunningDaemonPods(a, "orchestrator/busybox:v2");
            return pods.Count == 3 && pods.Any(p => TestCluster.NodeOf(p) == c.NodeName) ? pods : null;
        }, TimeSpan.FromSeconds(180), "a daemon pod Running on the node that joined");
        Assert.Equal(3, three.Select(TestCluster.NodeOf).Distinct().Count());
        Assert.Equal(first.Select(p => p["metadata"]!["uid"]!.GetValue<string>()).Order(), three.Where(p => TestCluster.NodeOf(p) != c.NodeName).Select(p => p["metadata"]!["uid"]!.GetValue<string>()).Order());

        // A new template rolls over every node, one node at a time (maxUnavailable 1).
        (await kubectl.RunAsync($"apply -f {await cluster.WriteManifestAsync(DaemonSetYaml("orchestrator/busybox:latest"))}")).EnsureSuccess();
        (await kubectl.RunAsync("rollout status daemonset/agent --timeout=240s", timeout: TimeSpan.FromSeconds(250))).EnsureSuccess();
        var rolled = await cluster.WaitForAsync(async () =>
        {
            var pods = await RunningDaemonPods(a, "orchestrator/busybox:latest");
            return pods.Count == 3 ? pods : null;
        }, TimeSpan.FromSeconds(60), "the updated daemon pod Running on all three nodes");
        Assert.Equal(3, rolled.Select(TestCluster.NodeOf).Distinct().Count());
        output.WriteLine($"daemon pods on {string.Join(", ", rolled.Select(TestCluster.NodeOf))}");
    }
}
