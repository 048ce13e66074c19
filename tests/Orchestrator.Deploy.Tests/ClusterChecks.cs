using System.Text.Json.Nodes;
using Orchestrator.TestSupport;

namespace Orchestrator.Deploy.Tests;

/// <summary>A pod of the test's Deployment that is Running and Ready.</summary>
public sealed record RunningPod(string Name, string Uid, string Node);

/// <summary>What the compose tests await and check: Ready nodes, the Deployment's pods, a NodePort, versions, containers by label.</summary>
public static class ClusterChecks
{
    /// <summary>The Deployment "web" (6 busybox httpd replicas), its NodePort Service and a ConfigMap.</summary>
    public const string Workload = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 6
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: web
                image: orchestrator/busybox:v2
                command: ["httpd", "-f", "-p", "80", "-h", "/www"]
                ports: [{containerPort: 80}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          type: NodePort
          selector: {app: web}
          ports: [{port: 80, targetPort: 80}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        data: {greeting: hello}
        """;

    public static async Task AwaitReadyNodesAsync(ComposeCluster cluster, IReadOnlyList<string> nodes, TimeSpan timeout)
    {
        foreach (var node in nodes)
            await Poll.Until(() => ComposeCluster.ReadyAsync(node), timeout, $"{node}'s /readyz", every: TimeSpan.FromSeconds(1), tolerate: Poll.Unreachable);
        var kubectl = await cluster.KubectlAsync(nodes[0]);
        var last = "";
        await Poll.Until(async () =>
        {
            var listed = await kubectl.RunAsync("get nodes -o json");
            if (listed.ExitCode != 0) return false;
            last = listed.Stdout;
            var ready = JsonNode.Parse(listed.Stdout)!["items"]!.AsArray()
                .Where(n => n!["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True") == true)
                .Select(n => n!["metadata"]!["name"]!.GetValue<string>());
            return nodes.All(ready.Contains);
        }, timeout, $"nodes {string.Join(", ", nodes)} Ready", every: TimeSpan.FromSeconds(1), detail: () => last);
    }

    /// <summary>Waits until the Deployment has exactly <paramref name="count"/> pods, all Running and Ready, on <paramref name="nodes"/> only.</summary>
    public static async Task<IReadOnlyList<RunningPod>> AwaitRunningPodsAsync(Kubectl kubectl, int count, IReadOnlyList<string> nodes, TimeSpan timeout)
    {
        IReadOnlyList<RunningPod> running = [];
        var last = "";
        await Poll.Until(async () =>
        {
            var listed = await kubectl.RunAsync("get pods -l app=web -o json");
            if (listed.ExitCode != 0) return false;
            last = listed.Stdout;
            var items = JsonNode.Parse(listed.Stdout)!["items"]!.AsArray().Select(p => p!).ToList();
            running = items
                .Where(p => p["metadata"]?["deletionTimestamp"] is null && p["status"]?["phase"]?.GetValue<string>() == "Running"
                            && p["status"]?["conditions"]?.AsArray().Any(c => c!["type"]!.GetValue<string>() == "Ready" && c["status"]!.GetValue<string>() == "True") == true)
                .Select(p => new RunningPod(p["metadata"]!["name"]!.GetValue<string>(), p["metadata"]!["uid"]!.GetValue<string>(), p["spec"]?["nodeName"]?.GetValue<string>() ?? ""))
                .ToList();
            return items.Count == count && running.Count == count && running.All(p => nodes.Contains(p.Node));
        }, timeout, $"{count} pods Running and Ready on {string.Join(", ", nodes)}", every: TimeSpan.FromMilliseconds(500), detail: () => last);
        return running;
    }

    public static async Task AwaitNodePortAsync(string node, int nodePort)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        var address = new Uri($"http://{ComposeCluster.NodeAddress(node)}:{nodePort}/");
        await Poll.Until(async () => (await http.GetStringAsync(address)).Contains("hello from orchestrator/busybox", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), $"the Service through {address}", every: TimeSpan.FromMilliseconds(500), tolerate: Poll.Unreachable);
    }

    /// <summary>kind/name → resourceVersion of the workload's objects.</summary>
    public static async Task<Dictionary<string, string>> VersionsAsync(Kubectl kubectl)
    {
        var listed = (await kubectl.RunAsync("get deployments,replicasets,services,configmaps,pods -o json")).EnsureSuccess();
        return JsonNode.Parse(listed.Stdout)!["items"]!.AsArray().ToDictionary(
            o => $"{o!["kind"]}/{o["metadata"]!["name"]}",
            o => o!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    /// <summary>
    /// Waits until the node agents' running containers are exactly one sandbox and one app
    /// container per pod, on the pod's node, and no container (running or not) belongs to a pod
    /// that is gone: none orphaned, none duplicated.
    /// </summary>
    public static async Task AwaitContainersMatchPodsAsync(Kubectl kubectl, Action<string> log, TimeSpan timeout)
    {
        var last = "";
        await Poll.Until(async () =>
        {
            var pods = JsonNode.Parse((await kubectl.RunAsync("get pods -A -o json")).EnsureSuccess().Stdout)!["items"]!.AsArray()
                .ToDictionary(p => p!["metadata"]!["uid"]!.GetValue<string>(), p => p!["spec"]?["nodeName"]?.GetValue<string>() ?? "");
            var containers = new List<(string Node, string Uid, string Kind, string State)>();
            foreach (var node in ComposeCluster.Nodes)
            {
                var listed = (await ComposeCluster.DockerAsync("ps", "-a", "--filter", $"label=orchestrator.node={node}",
                    "--format", "{{.Label \"orchestrator.pod.uid\"}} {{.Label \"orchestrator.container.kind\"}} {{.State}}")).EnsureSuccess();
                foreach (var line in listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    var parts = line.Split(' ');
                    containers.Add((node, parts[0], parts.Length > 1 ? parts[1] : "", parts.Length > 2 ? parts[2] : ""));
                }
            }
            last = string.Join("\n", containers.Select(c => $"{c.Node} {c.Uid} {c.Kind} {c.State}"));
            var orphaned = containers.Count(c => !pods.TryGetValue(c.Uid, out var node) || node != c.Node);
            var running = containers.Where(c => c.State == "running").GroupBy(c => (c.Uid, c.Kind)).ToList();
            var duplicated = running.Count(g => g.Count() > 1);
            var complete = pods.Keys.All(uid => running.Count(g => g.Key.Uid == uid) == 2);
            if (orphaned == 0 && duplicated == 0 && complete)
            {
                log($"containers by label: {containers.Count} for {pods.Count} pods, none orphaned, none duplicated");
                return true;
            }
            return false;
        }, timeout, "one sandbox and one app container per pod, none orphaned or duplicated", every: TimeSpan.FromSeconds(1), detail: () => last);
    }
}
