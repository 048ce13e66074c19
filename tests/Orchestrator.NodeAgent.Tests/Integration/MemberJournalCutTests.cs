using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// Only one member loses its connection to PostgreSQL (issue 18, item 1: "or the member's
/// connection to it"): member c's connection goes through a <see cref="TcpRelay"/> that the test
/// cuts for longer than the node monitor grace period plus the pod eviction timeout, while member
/// b, the oldest (it runs the node lifecycle controller), keeps its journal. c's node gets no
/// heartbeat through meanwhile (c's store refuses writes while its journal is unavailable), yet it
/// must not be taken for silent: b learns of c's outage from c and gives the nodes a full grace
/// period after it. No node may turn Unknown, no pod be evicted or restarted, and after the relay
/// resumes writes through c succeed again.
/// </summary>
public sealed class MemberJournalCutTests(ITestOutputHelper output)
{
    private const int Replicas = 4;

    /// <summary>Past node-monitor-grace-period (8 s) plus pod-eviction-timeout (5 s), with slack.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(20);

    [ClusterFact]
    public async Task A_member_cut_off_from_the_journal_longer_than_the_grace_period_costs_no_node_and_no_pod()
    {
        await using var cluster = await TestCluster.CreateAsync();
        await using var relay = new TcpRelay(cluster.DatabasePort);
        var b = cluster.Launch(seed: null);
        await TestCluster.WaitReadyAsync(b); // b is the oldest member: the controllers run there
        var c = cluster.Launch(seed: b, environment: new Dictionary<string, string> { ["ORCHESTRATOR_POSTGRES"] = cluster.ConnectionStringVia(relay) });
        await TestCluster.WaitReadyAsync(c);
        var kubectl = TestCluster.KubectlFor(b);
        async Task<string> Nodes() => (await kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
        bool BothReady(string nodes) => new[] { b, c }.All(m => Regex.IsMatch(nodes, $@"{m.NodeName}\s+Ready\b"));
        await cluster.WaitForAsync(async () => await Nodes() is var nodes && BothReady(nodes) ? nodes : null, TimeSpan.FromSeconds(90), "both nodes Ready");
        (await kubectl.RunAsync($"apply -f {await cluster.WriteManifestAsync(TestCluster.SleepingDeployment("steady", Replicas))}")).EnsureSuccess();
        var before = await cluster.WaitForRunningPodsAsync(b, "app=steady", Replicas);
        var identities = TestCluster.Identities(before);
        output.WriteLine($"pods on c's node: {before.Count(p => TestCluster.NodeOf(p) == c.NodeName)} of {Replicas}");

        using var viaC = c.CreateHttpClient(timeout: TimeSpan.FromSeconds(10));
        var cutAt = DateTimeOffset.UtcNow;
        var outage = Stopwatch.StartNew();
        relay.Cut();
        // The cut is the scenario: it is held for 20 s while both nodes are checked every second
        // (Poll's condition is "still Ready" and "20 s have passed"), not a sleep awaiting a result.
        var refused = false;
        await Poll.Until(async () =>
        {
            var nodes = await Nodes();
            Assert.True(BothReady(nodes), $"a node is no longer Ready {outage.Elapsed.TotalSeconds:0.0} s into c's outage:\n{nodes}");
            if (!refused)
            {
                using var write = await viaC.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"during"}}""", System.Text.Encoding.UTF8, "application/json"));
                refused = write.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable;
            }
            return outage.Elapsed >= Outage;
        }, Outage + TimeSpan.FromSeconds(30), "c's outage to last 20 s", every: TimeSpan.FromSeconds(1));
        Assert.True(refused, "member c never answered a write with 503 while its journal was cut: the cut did not reach it");
        relay.Resume();

        // Healed: writes through c succeed again, and past another grace period and eviction
        // timeout both nodes are Ready with the same pods and containers, never restarted.
        var resumed = Stopwatch.StartNew();
        await Poll.Until(async () =>
        {
            using var write = await viaC.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"after"}}""", System.Text.Encoding.UTF8, "application/json"));
            return write.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), "a write through c to succeed after its journal is back", every: TimeSpan.FromMilliseconds(250), tolerate: Poll.Unreachable);
        var recovered = resumed.Elapsed;
        var watching = Stopwatch.StartNew();
        await Poll.Until(async () =>
        {
            Assert.True(BothReady(await Nodes()), "a node is not Ready after c's journal is back");
            var pods = await TestCluster.PodsAsync(b, "app=steady");
            Assert.Equal(identities, TestCluster.Identities(pods.Where(p => p["metadata"]?["deletionTimestamp"] is null)));
            return watching.Elapsed > TimeSpan.FromSeconds(15);
        }, TimeSpan.FromSeconds(60), "15 s of Ready nodes and unchanged pods after the outage", tolerate: Poll.Unreachable);
        Assert.Equal(identities, TestCluster.Identities(await TestCluster.PodsAsync(b, "app=steady")));

        using var viaB = b.CreateHttpClient(timeout: TimeSpan.FromSeconds(10));
        var events = (JsonNode.Parse(await viaB.GetStringAsync("/api/v1/namespaces/default/events"))!["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var disruptive = events.Where(e => e["reason"]?.GetValue<string>() is "NodeNotReady" or "TaintManagerEviction")
            .Select(e => $"{e["reason"]} {e["involvedObject"]?["name"]} at {e["lastTimestamp"] ?? e["eventTime"]}").ToList();
        Assert.True(disruptive.Count == 0, $"after c's journal was cut at {cutAt:HH:mm:ss}: {string.Join("; ", disruptive)}");
        var message = $"one member's journal cut for {Outage.TotalSeconds:0} s: 0 nodes Unknown, 0 pods evicted; first write through it {recovered.TotalSeconds:0.0} s after the relay resumed";
        output.WriteLine(message);
        Console.WriteLine(message);
    }
}
