using System.Diagnostics;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Two of three nodes fall silent at once (issue 18): their node processes are frozen with SIGSTOP,
/// so their agents send no heartbeat while their containers keep running. So many silent nodes at
/// once are more likely the network's or the control plane's fault than the nodes': the node
/// lifecycle controller marks them unreachable but evicts nothing, says why in the nodes'
/// EvictionHeld condition and an EvictionsHeld event, and once the agents run again every node is
/// Ready with the same pods.
/// </summary>
/// <remarks>
/// A node agent lives in its node process, and that process is a cluster member too. So that
/// freezing it stops only the agent, the three agent members are workers (<c>roles =
/// ["worker"]</c>: they host no objects and no singletons), two control-plane members without an
/// agent hold the objects and the controllers, and the split-brain resolver's stable-after is
/// longer than the test, so the frozen members stay unreachable members instead of being downed
/// (downed, their nodes would count as gone at once, and the same disruption rule holds them: see
/// NodeDisruptionSpec). A single dead node is still replaced: FailoverTests.
/// </remarks>
public sealed class NodeDisruptionTests(ITestOutputHelper output)
{

    /// <summary>Longer than the test: frozen members stay unreachable, not downed.</summary>
    private const string Resolver = "akka.cluster.split-brain-resolver.stable-after = 10m";

    private static JsonObject? Condition(JsonNode node, string type) =>
        (node["status"]?["conditions"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);

    [ClusterFact]
    public async Task Two_of_three_nodes_silent_at_once_evict_nothing_and_a_condition_says_why()
    {
        await using var cluster = await TestCluster.CreateAsync();
        var noAgent = new Dictionary<string, string> { ["ORCHESTRATOR_NODE_AGENT"] = "off" };
        var control = cluster.Launch(seed: null, overlay: Resolver, environment: noAgent);
        var control2 = cluster.Launch(seed: control, overlay: Resolver, environment: noAgent);
        var workers = Enumerable.Range(0, 3).Select(_ => cluster.Launch(seed: control, overlay: Resolver + "\nakka.cluster.roles = [\"worker\"]")).ToArray();
        await TestCluster.WaitReadyAsync([control, control2, .. workers]);
        var kubectl = TestCluster.KubectlFor(control);
        using var http = control.CreateHttpClient(timeout: TimeSpan.FromSeconds(30));
        async Task<JsonObject> Node(NodeProcess m) => (JsonObject)JsonNode.Parse(await http.GetStringAsync($"/api/v1/nodes/{m.NodeName}"))!;
        await cluster.WaitForAsync(async () =>
        {
            var nodes = (await kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
            return workers.All(m => System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{m.NodeName}\s+Ready")) ? nodes : null;
        }, TimeSpan.FromSeconds(120), "three worker nodes Ready");
        (await kubectl.RunAsync($"apply -f {await cluster.WriteManifestAsync(TestCluster.SleepingDeployment("spread", 6))}")).EnsureSuccess();
        var before = await cluster.WaitForRunningPodsAsync(control, "app=spread", 6,
            pods => workers.All(w => pods.Any(p => TestCluster.NodeOf(p) == w.NodeName)), "six pods Running, on every worker node");
        var identities = TestCluster.Identities(before);

        var silent = workers.Take(2).ToArray();
        var clock = Stopwatch.StartNew();
        foreach (var w in silent) await w.Pause();
        try
        {
            // Unreachable (the grace period, 8 s) and past the pods' eviction timeout (5 s): held, and said so.
            var held = await cluster.WaitForAsync(async () =>
            {
                var conditions = new List<JsonObject>();
                foreach (var w in silent)
                {
                    var node = await Node(w);
                    if (Condition(node, "Ready")?["status"]?.GetValue<string>() != "Unknown") return null;
                    if (Condition(node, "EvictionHeld") is not { } c || c["status"]?.GetValue<string>() != "True") return null;
                    conditions.Add(c);
                }
                return conditions;
            }, TimeSpan.FromSeconds(90), "both silent nodes Unknown with EvictionHeld=True");
            var heldAfter = clock.Elapsed;
            Assert.All(held, c => Assert.Equal("ClusterDisruption", c["reason"]!.GetValue<string>()));
            Assert.All(held, c => Assert.Contains("2 of 3 nodes", c["message"]!.GetValue<string>(), StringComparison.Ordinal));
            var events = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/events"))!["items"]!.AsArray().OfType<JsonObject>()
                .Where(e => e["reason"]?.GetValue<string>() == "EvictionsHeld").Select(e => e["involvedObject"]!["name"]!.GetValue<string>()).ToHashSet();
            Assert.All(silent, w => Assert.Contains(w.NodeName, events));

            // Long past the eviction timeout: the pods of the silent nodes are still there, undeleted.
            var since = Stopwatch.StartNew();
            await Poll.Until(async () =>
            {
                var pods = await TestCluster.PodsAsync(control, "app=spread");
                Assert.Equal(identities, TestCluster.Identities(pods.Where(p => p["metadata"]?["deletionTimestamp"] is null)));
                return since.Elapsed > TimeSpan.FromSeconds(15);
            }, TimeSpan.FromSeconds(60), "15 s of unchanged pods while two nodes are silent", tolerate: Poll.Unreachable);
            var message = $"two of three nodes silent (SIGSTOP): EvictionHeld=True (ClusterDisruption) on both {heldAfter.TotalSeconds:0.0} s after the pause; "
                          + $"0 pods evicted in the {clock.Elapsed.TotalSeconds:0} s they were silent";
            output.WriteLine(message);
            Console.WriteLine(message);
            output.WriteLine(held[0]["message"]!.GetValue<string>());
        }
        finally
        {
            foreach (var w in silent) await w.Continue();
        }

        // The agents report again: every node Ready, the hold lifted, the same pods on the same nodes.
        await cluster.WaitForAsync(async () =>
        {
            foreach (var w in workers)
            {
                var node = await Node(w);
                if (Condition(node, "Ready")?["status"]?.GetValue<string>() != "True") return null;
                if (Condition(node, "EvictionHeld")?["status"]?.GetValue<string>() is "True") return null;
            }
            return "";
        }, TimeSpan.FromSeconds(90), "every node Ready again, its evictions no longer held");
        Assert.Equal(identities, TestCluster.Identities(await TestCluster.PodsAsync(control, "app=spread")));
    }
}
