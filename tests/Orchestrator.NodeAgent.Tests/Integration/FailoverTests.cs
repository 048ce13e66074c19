using System.Diagnostics;
using System.Text.Json.Nodes;
using Orchestrator.Runtime;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Node failover end to end, with the default settings of <c>hocon/cluster.conf</c>: the member
/// whose node runs a Deployment's pods is killed (kill -9); the survivors down it, take over its
/// shards and singletons, mark its node unreachable, evict its pods and run replacements elsewhere.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: survivor
        spec:
          replicas: 2
          selector:
            matchLabels: {app: survivor}
          template:
            metadata:
              labels: {app: survivor}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: orchestrator/busybox:latest
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exec sleep 3600"]
        """;

    /// <summary>Log lines that mark the steps of a failover, printed with the measured time.</summary>
    private static readonly string[] Timeline = ["UNREACHABLE", "SBR took decision", "removing unreachable", "Singleton manager started singleton actor [akka://orchestrator/user", "node-lifecycle", "sync of"];

    [ClusterFact]
    public async Task Pods_of_a_killed_member_are_replaced_on_a_surviving_node()
    {
        await using var cluster = await TestCluster.CreateAsync();
        // B forms the cluster, so it is the oldest member: it hosts the scheduler and controller
        // singletons and the shard coordinators, all of which must fail over. C is a control-plane
        // member without a node agent, so that two of three members survive B (the split-brain
        // resolver keeps the majority).
        var b = cluster.Launch(seed: null);
        var a = cluster.Launch(seed: b);
        var c = cluster.Launch(seed: b, environment: new Dictionary<string, string> { ["ORCHESTRATOR_NODE_AGENT"] = "off" });
        await TestCluster.WaitReadyAsync(b, a, c);
        var kubectl = TestCluster.KubectlFor(a);
        await cluster.WaitForAsync(async () =>
        {
            var nodes = (await kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
            return System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{a.NodeName}\s+Ready") && System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{b.NodeName}\s+Ready") ? nodes : null;
        }, TimeSpan.FromSeconds(90), "nodes A and B Ready");

        // The pods go to B: A is cordoned while they are placed.
        (await kubectl.RunAsync($"cordon {a.NodeName}")).EnsureSuccess();
        (await kubectl.RunAsync($"apply -f {await cluster.WriteManifestAsync(Deployment)}")).EnsureSuccess();
        var original = await cluster.WaitForAsync(async () =>
        {
            var pods = await TestCluster.PodsAsync(a, "app=survivor");
            return pods.Count == 2 && pods.All(p => TestCluster.NodeOf(p) == b.NodeName && TestCluster.Phase(p) == "Running") ? pods : null;
        }, TimeSpan.FromSeconds(120), "two pods Running on B");
        (await kubectl.RunAsync($"uncordon {a.NodeName}")).EnsureSuccess();
        Assert.Equal(4, (await TestCluster.ContainersOfNodeAsync(b.NodeName)).Count(x => x.State == ContainerState.Running));

        var clock = Stopwatch.StartNew();
        await b.Kill();

        var replacements = await cluster.WaitForAsync(async () =>
        {
            var pods = await TestCluster.PodsAsync(a, "app=survivor");
            if (pods.Count != 2 || !pods.All(p => TestCluster.NodeOf(p) == a.NodeName && TestCluster.Phase(p) == "Running" && p["metadata"]?["deletionTimestamp"] is null)) return null;
            var running = (await TestCluster.ContainersOfNodeAsync(a.NodeName, new Dictionary<string, string> { [ContainerLabels.ContainerName] = "main" }))
                .Where(x => x.State == ContainerState.Running).Select(x => x.Pod!.Name).ToHashSet();
            return pods.All(p => running.Contains(p["metadata"]!["name"]!.GetValue<string>())) ? pods : null;
        }, TimeSpan.FromSeconds(180), "two replacement pods Running on A");
        clock.Stop();
        var message = $"failover: kill -9 of member B to both replacement pods Running on A (containers running): {clock.Elapsed.TotalSeconds:0.0} s";
        output.WriteLine(message);
        Console.WriteLine(message);
        output.WriteLine($"killed at {DateTime.UtcNow - clock.Elapsed:HH:mm:ss.fff} UTC; what the survivors logged since:");
        foreach (var line in new[] { a, c }.SelectMany(m => m.Output.Split('\n').Where(l => Timeline.Any(k => l.Contains(k, StringComparison.Ordinal))).Select(l => $"{m.NodeName}: {l[..Math.Min(l.Length, 220)]}")))
            output.WriteLine(line);

        Assert.DoesNotContain(replacements, p => original.Any(o => o["metadata"]!["uid"]!.GetValue<string>() == p["metadata"]!["uid"]!.GetValue<string>()));
        var node = JsonNode.Parse((await kubectl.RunAsync($"get node {b.NodeName} -o json")).EnsureSuccess().Stdout)!;
        Assert.Contains(node["spec"]!["taints"]!.AsArray(), t => t!["key"]!.GetValue<string>() == "node.kubernetes.io/unreachable");
        Assert.Equal("Unknown", node["status"]!["conditions"]!.AsArray().First(x => x!["type"]!.GetValue<string>() == "Ready")!["status"]!.GetValue<string>());

        // The singletons moved without binding any pod twice: one Scheduled event per pod.
        using var http = a.CreateHttpClient();
        var events = (JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/events"))!["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(e => e["reason"]?.GetValue<string>() == "Scheduled").GroupBy(e => e["involvedObject"]!["name"]!.GetValue<string>()).ToList();
        Assert.All(events, g => Assert.Single(g));
        Assert.All(replacements, p => Assert.Contains(events, g => g.Key == p["metadata"]!["name"]!.GetValue<string>()));
    }
}
