using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.Deploy.Tests;

/// <summary>
/// Faults against the compose cluster while a workload runs and a writer records every write the
/// API acknowledged: kill -9 of the member holding the singletons in the middle of a rolling
/// update, PostgreSQL stopped for 30 s, the whole project restarted. Afterwards every
/// acknowledged write is there with its value. The figures are printed, never asserted as times.
/// </summary>
public sealed class FaultSuiteTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    private void Log(string line) => output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.f}] {line}");

    [ComposeFact]
    public async Task No_acknowledged_write_is_lost_through_a_killed_singleton_holder_a_database_outage_and_a_restart_of_everything()
    {
        await using var cluster = await ComposeCluster.UpAsync(Log);
        await ClusterChecks.AwaitReadyNodesAsync(cluster, ComposeCluster.Nodes, TimeSpan.FromMinutes(3));
        var kubectl = await cluster.KubectlAsync("node-2");
        (await kubectl.RunAsync("apply -f -", ClusterChecks.Workload)).EnsureSuccess();
        await ClusterChecks.AwaitRunningPodsAsync(kubectl, 6, ComposeCluster.Nodes, TimeSpan.FromMinutes(2));
        await using var writer = new AcknowledgedWriter(cluster.Token, ComposeCluster.Nodes.Select(ComposeCluster.ApiPort).ToList(), TimeSpan.FromMilliseconds(100));

        // 1. A rolling update, and the member holding the scheduler and controllers (node-1, the
        // oldest: it formed the cluster) killed in its middle.
        (await kubectl.RunAsync("set env deployment/web ROUND=2")).EnsureSuccess();
        await Poll.Until(async () => (await kubectl.RunAsync("get pods -l app=web -o json")).Stdout.Contains("\"ROUND\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the rollout's first new pod");
        var killedAt = Stopwatch.StartNew();
        (await ComposeCluster.DockerAsync("kill", cluster.Container("node-1"))).EnsureSuccess();
        Log("node-1 killed (SIGKILL) during the rollout");
        await AwaitRolloutAsync(kubectl, "ROUND", TimeSpan.FromMinutes(2));
        Log($"FAULT singleton holder: rollout complete, 6 new pods Running on node-2 and node-3, {killedAt.Elapsed.TotalSeconds:0.0} s after the kill");
        await AssertBoundOnceAsync(kubectl);
        (await ComposeCluster.DockerAsync("start", cluster.Container("node-1"))).EnsureSuccess();
        await ClusterChecks.AwaitReadyNodesAsync(cluster, ComposeCluster.Nodes, TimeSpan.FromMinutes(2));
        await ClusterChecks.AwaitContainersMatchPodsAsync(kubectl, Log, TimeSpan.FromSeconds(90));

        // 2. PostgreSQL stopped for 30 s: writes answer 503 within a bounded time, reads from the
        // index go on, everything recovers by itself.
        var stopAt = writer.Now;
        (await cluster.ComposeAsync("stop", "-t", "5", "postgres")).EnsureSuccess();
        var stoppedAt = writer.Now;
        await ReadFromIndexThroughoutAsync(cluster.Token);
        var outage = writer.Between(stopAt, writer.Now);
        (await cluster.ComposeAsync("start", "postgres")).EnsureSuccess();
        var startedAt = writer.Now;
        await Poll.Until(() => writer.FirstAcknowledgedAfter(startedAt) is not null, TimeSpan.FromSeconds(60), "an acknowledged write after PostgreSQL returned");
        var first503 = outage.FirstOrDefault(w => w.Outcome == "503");
        Log($"FAULT database: stopped {(stoppedAt - stopAt).TotalSeconds:0.0} s after the request; {outage.Count} writes from the stop to the start: " +
            string.Join(", ", outage.GroupBy(w => w.Outcome).Select(g => $"{g.Count()} x {g.Key}")) +
            $"; first 503 {(first503 == default ? "none" : $"{(first503.At + first503.Took - stopAt).TotalSeconds:0.0} s")} after the stop began; slowest answer {outage.Select(w => w.Took).DefaultIfEmpty().Max().TotalSeconds:0.0} s; " +
            $"first acknowledged write {(writer.FirstAcknowledgedAfter(startedAt)!.Value - startedAt).TotalSeconds:0.0} s after the start");
        Assert.Contains(outage, w => w.Outcome == "503");
        // Every write answers within a bound (503 at once, or 504 after orchestrator.store.ask-timeout), never hangs.
        Assert.All(outage, w => Assert.True(w.Took < TimeSpan.FromSeconds(10), $"a write during the outage took {w.Took}"));

        // 3. The whole project restarted.
        var restartAt = writer.Now;
        (await cluster.ComposeAsync(TimeSpan.FromMinutes(3), "restart", "-t", "20")).EnsureSuccess();
        await ClusterChecks.AwaitReadyNodesAsync(cluster, ComposeCluster.Nodes, TimeSpan.FromMinutes(3));
        var readyAt = writer.Now;
        await Poll.Until(() => writer.FirstAcknowledgedAfter(readyAt) is not null, TimeSpan.FromSeconds(60), "an acknowledged write after the restart");
        Log($"FAULT whole restart: three nodes Ready {(readyAt - restartAt).TotalSeconds:0.0} s after the restart began, the next acknowledged write {(writer.FirstAcknowledgedAfter(readyAt)!.Value - readyAt).TotalSeconds:0.0} s later");
        await writer.StopAsync();

        foreach (var node in ComposeCluster.Nodes)
        {
            var lost = await writer.LostAsync(ComposeCluster.ApiPort(node));
            Assert.True(lost.Count == 0, $"{node} lacks {lost.Count} acknowledged writes: {string.Join(", ", lost.Take(20))}");
        }
        Log($"WRITES: {writer.Acknowledged.Count} acknowledged, 0 lost (checked on every member); not acknowledged: " +
            string.Join(", ", writer.Refused.OrderBy(r => r.Key).Select(r => $"{r.Value} x {r.Key}")));
        await ClusterChecks.AwaitRunningPodsAsync(kubectl, 6, ComposeCluster.Nodes, TimeSpan.FromMinutes(1));
        await ClusterChecks.AwaitContainersMatchPodsAsync(kubectl, Log, TimeSpan.FromSeconds(90));
    }

    /// <summary>Waits until the Deployment's rollout is complete: 6 pods, all Running, Ready and of the new template (they have <paramref name="variable"/>).</summary>
    private static async Task AwaitRolloutAsync(Kubectl kubectl, string variable, TimeSpan timeout)
    {
        var last = "";
        await Poll.Until(async () =>
        {
            // A list, from the member's index: a get goes to the object's entity, which answers 504 while
            // its shard was on the killed member and is not yet moved (until the member is downed).
            var listed = await kubectl.RunAsync("get deployments -o json");
            if (listed.ExitCode != 0) return false;
            var deployment = JsonNode.Parse(listed.Stdout)!["items"]!.AsArray().Single(d => d!["metadata"]!["name"]!.GetValue<string>() == "web")!;
            last = deployment["status"]?.ToJsonString() ?? "";
            var status = deployment["status"];
            int Count(string field) => status?[field]?.GetValue<int>() ?? 0;
            if (status?["observedGeneration"]?.GetValue<long>() != deployment["metadata"]!["generation"]!.GetValue<long>()
                || Count("updatedReplicas") != 6 || Count("readyReplicas") != 6 || Count("replicas") != 6) return false;
            var pods = await ClusterChecks.AwaitRunningPodsAsync(kubectl, 6, ["node-2", "node-3"], TimeSpan.FromSeconds(5));
            var podList = (await kubectl.RunAsync("get pods -l app=web -o json")).EnsureSuccess().Stdout;
            return pods.Count == 6 && JsonNode.Parse(podList)!["items"]!.AsArray().All(p => p!["spec"]!.ToJsonString().Contains($"\"{variable}\"", StringComparison.Ordinal));
        }, timeout, "the rollout complete on node-2 and node-3", every: TimeSpan.FromSeconds(1), tolerate: e => e is TimeoutException or InvalidOperationException, detail: () => last);
    }

    /// <summary>No pod was bound twice: each pod has one Scheduled event (count 1), and its containers are on its node only.</summary>
    private static async Task AssertBoundOnceAsync(Kubectl kubectl)
    {
        var events = JsonNode.Parse((await kubectl.RunAsync("get events -o json")).EnsureSuccess().Stdout)!["items"]!.AsArray()
            .Where(e => e!["reason"]?.GetValue<string>() == "Scheduled" && e["involvedObject"]?["kind"]?.GetValue<string>() == "Pod").ToList();
        var perPod = events.GroupBy(e => e!["involvedObject"]!["uid"]!.GetValue<string>()).ToList();
        Assert.All(perPod, g => Assert.True(g.Count() == 1 && (g.First()!["count"]?.GetValue<int>() ?? 1) == 1, $"pod {g.Key} was scheduled more than once: {string.Join(" | ", g.Select(e => e!["message"]))}"));
    }

    /// <summary>For <see cref="Outage"/> from now: every member answers lists with resourceVersion=0 from its index (200), once a second.</summary>
    private async Task ReadFromIndexThroughoutAsync(string token)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var clock = Stopwatch.StartNew();
        var reads = 0;
        var stale = 0;
        await Poll.Until(async () =>
        {
            foreach (var node in ComposeCluster.Nodes)
            {
                using var answer = await http.GetAsync(new Uri($"https://127.0.0.1:{ComposeCluster.ApiPort(node)}/api/v1/namespaces/default/configmaps?resourceVersion=0&limit=5"));
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
                reads++;
                if (answer.Headers.Contains("Warning")) stale++;
            }
            return clock.Elapsed >= Outage;
        }, Outage + TimeSpan.FromSeconds(30), "reads from the index during the database outage", every: TimeSpan.FromSeconds(1));
        Log($"during the outage: {reads} reads with resourceVersion=0, all 200, {stale} of them with a staleness warning");
    }
}
