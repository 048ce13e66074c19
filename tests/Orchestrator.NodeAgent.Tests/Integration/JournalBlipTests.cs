using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Orchestrator.TestSupport;
using Xunit.Abstractions;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// A 30-second journal outage on a three-member cluster (issue 18): every member's connection to
/// PostgreSQL goes through a <see cref="TcpRelay"/> that the test cuts and resumes (the shared
/// server keeps running). No pod may be evicted or restarted and no node marked NotReady, writes
/// during the outage must be answered 503 within the bound, and every write acknowledged before and
/// after must be there, and seen by a client watching through another member across the outage.
/// </summary>
public sealed class JournalBlipTests(ITestOutputHelper output)
{
    private const int Replicas = 6;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    /// <summary>ask-timeout (5 s) plus slack for a loaded machine: no write waits longer than this.</summary>
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(7);

    private static string ConfigMap(string name) =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"k":"v"}}""";

    [ClusterFact]
    public async Task A_thirty_second_journal_outage_evicts_and_restarts_nothing_and_answers_writes_with_503()
    {
        await using var cluster = await TestCluster.CreateAsync();
        await using var relay = new TcpRelay(cluster.DatabasePort);
        var env = new Dictionary<string, string> { ["ORCHESTRATOR_POSTGRES"] = cluster.ConnectionStringVia(relay) };
        var b = cluster.Launch(seed: null, environment: env);
        var a = cluster.Launch(seed: b, environment: env);
        var c = cluster.Launch(seed: b, environment: env);
        await TestCluster.WaitReadyAsync(b, a, c);
        var kubectl = TestCluster.KubectlFor(a);
        await cluster.WaitForAsync(async () =>
        {
            var nodes = (await kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
            return new[] { a, b, c }.All(m => System.Text.RegularExpressions.Regex.IsMatch(nodes, $@"{m.NodeName}\s+Ready")) ? nodes : null;
        }, TimeSpan.FromSeconds(90), "three nodes Ready");
        (await kubectl.RunAsync($"apply -f {await cluster.WriteManifestAsync(TestCluster.SleepingDeployment("steady", Replicas))}")).EnsureSuccess();
        var before = await cluster.WaitForRunningPodsAsync(a, "app=steady", Replicas);
        var identities = TestCluster.Identities(before);

        using var http = a.CreateHttpClient(timeout: TimeSpan.FromSeconds(30));
        var acknowledged = new List<string>();
        var answers = new List<(bool During, TimeSpan At, HttpStatusCode Status, TimeSpan Took, string Body)>();
        var sequence = 0;
        var inOutage = false;
        async Task<HttpStatusCode> Write(Stopwatch since)
        {
            var name = $"write-{sequence++}";
            var started = Stopwatch.StartNew();
            using var response = await http.PostAsync("/api/v1/namespaces/default/configmaps", new StringContent(ConfigMap(name), Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            answers.Add((inOutage, since.Elapsed, response.StatusCode, started.Elapsed, body));
            if (response.StatusCode == HttpStatusCode.Created) acknowledged.Add(name);
            else Assert.True(response.Headers.RetryAfter is not null, $"no Retry-After on {response.StatusCode}: {body}");
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.Created, await Write(Stopwatch.StartNew()));

        // A client watching through another member across the outage, as client-go's reflector
        // does (reconnecting from the last resourceVersion it saw): it must see every acknowledged
        // write in its watch, and never be told its version is gone.
        using var watchHttp = c.CreateHttpClient(timeout: Timeout.InfiniteTimeSpan);
        var first = JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/configmaps/write-0"))!;
        await using var watch = new ReflectorWatch(watchHttp, "/api/v1/namespaces/default/configmaps", first["metadata"]!["resourceVersion"]!.GetValue<string>());
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Created, await Write(Stopwatch.StartNew()));

        var outage = Stopwatch.StartNew();
        var cutAt = DateTimeOffset.UtcNow;
        inOutage = true;
        relay.Cut();
        // The outage is the scenario: it is held open for 30 s while a write is tried every second
        // (Poll's condition is the write and "30 s have passed"), not a sleep waiting for a result.
        await Poll.Until(async () =>
        {
            await Write(outage);
            return outage.Elapsed >= Outage;
        }, Outage + TimeSpan.FromSeconds(30), "the outage to last 30 s", every: TimeSpan.FromSeconds(1));
        var during = answers.Where(x => x.During).ToList();
        inOutage = false;
        relay.Resume();
        var resumed = Stopwatch.StartNew();
        await Poll.Until(async () => await Write(resumed) == HttpStatusCode.Created, TimeSpan.FromSeconds(60), "a write to succeed after the journal is back", every: TimeSpan.FromMilliseconds(250));
        var recovered = resumed.Elapsed;
        var firstAfter = acknowledged[^1];
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.Created, await Write(Stopwatch.StartNew()));
        // How long each member's index (lists, watches, the controllers' informers) took to see that write.
        var caughtUp = new Dictionary<string, TimeSpan>();
        await Poll.Until(async () =>
        {
            foreach (var (m, label) in new[] { (a, "a"), (b, "b"), (c, "c") }.Where(x => !caughtUp.ContainsKey(x.Item2)))
            {
                using var memberHttp = m.CreateHttpClient(timeout: TimeSpan.FromSeconds(5));
                var cached = await memberHttp.GetStringAsync("/api/v1/namespaces/default/configmaps?resourceVersion=0");
                if (cached.Contains($"\"{firstAfter}\"", StringComparison.Ordinal)) caughtUp[label] = resumed.Elapsed;
            }
            return caughtUp.Count == 3;
        }, TimeSpan.FromSeconds(60), "every member's index to see the first write after the outage", tolerate: Poll.Unreachable);

        // Past every grace period and eviction timeout after the outage (8 s + 5 s, and some):
        // the same pods with the same containers, never restarted, all the time.
        var watching = Stopwatch.StartNew();
        await Poll.Until(async () =>
        {
            var pods = await TestCluster.PodsAsync(a, "app=steady");
            Assert.Equal(identities, TestCluster.Identities(pods.Where(p => p["metadata"]?["deletionTimestamp"] is null)));
            return watching.Elapsed > TimeSpan.FromSeconds(25);
        }, TimeSpan.FromSeconds(60), "25 s of unchanged pods after the outage", tolerate: Poll.Unreachable);
        Assert.Equal(identities, TestCluster.Identities(await TestCluster.PodsAsync(a, "app=steady")));
        // Every node kept reporting, so none may have been taken for silent (NodeNotReady) because of the outage.
        var notReady = (JsonNode.Parse(await http.GetStringAsync("/api/v1/namespaces/default/events"))!["items"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(e => e["reason"]?.GetValue<string>() == "NodeNotReady").Select(e => $"{e["involvedObject"]?["name"]} at {e["lastTimestamp"] ?? e["eventTime"]}").ToList();
        var nodes = (await kubectl.RunAsync("get nodes --no-headers")).EnsureSuccess().Stdout;
        output.WriteLine(nodes);

        var first503 = during.FirstOrDefault(x => x.Status == HttpStatusCode.ServiceUnavailable);
        var message = $"journal blip: first 503 {first503.At.TotalSeconds:0.0} s after the cut (answered in {first503.Took.TotalMilliseconds:0} ms); "
                      + $"slowest answer during the outage {during.Max(x => x.Took).TotalMilliseconds:0} ms; first acknowledged write {recovered.TotalSeconds:0.0} s after the relay resumed; "
                      + $"{during.Count} writes during the outage: {string.Join(", ", during.GroupBy(x => (int)x.Status).Select(g => $"{g.Count()} x {g.Key}"))}; "
                      + $"every member's index had the first write after the outage {caughtUp.Values.Max().TotalSeconds:0.0} s after the relay resumed";
        output.WriteLine(message);
        Console.WriteLine(message);
        foreach (var x in during.Where(x => x.Status != HttpStatusCode.ServiceUnavailable).Take(5)) output.WriteLine($"{x.At}: {x.Status} {x.Body}");

        Assert.True(notReady.Count == 0, $"nodes were marked NotReady after the cut at {cutAt:HH:mm:ss}: {string.Join("; ", notReady)}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, first503.Status);
        Assert.All(during, x => Assert.True(x.Took < AnswerBound, $"a write took {x.Took} to answer ({x.Status})"));
        Assert.All(during.Where(x => x.Status == HttpStatusCode.ServiceUnavailable), x => Assert.Contains("journal", x.Body, StringComparison.Ordinal));
        foreach (var name in acknowledged)
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v1/namespaces/default/configmaps/{name}")).StatusCode);
        using var list = await http.GetAsync("/api/v1/namespaces/default/configmaps");
        var listed = (JsonNode.Parse(await list.Content.ReadAsStringAsync())!["items"] as JsonArray ?? []).Select(i => i!["metadata"]!["name"]!.GetValue<string>()).ToHashSet();
        Assert.All(acknowledged, name => Assert.Contains(name, listed));

        await Poll.Until(() => acknowledged.Skip(1).All(watch.Seen.ContainsKey), TimeSpan.FromSeconds(30),
            "the watch through another member to see every acknowledged write", detail: () => $"missing: {string.Join(", ", acknowledged.Skip(1).Where(n => !watch.Seen.ContainsKey(n)))}");
        var watchMessage = $"watch through member c across the outage: {acknowledged.Count - 1} acknowledged writes, {acknowledged.Skip(1).Count(watch.Seen.ContainsKey)} seen, "
                           + $"{acknowledged.Skip(1).Count(n => !watch.Seen.ContainsKey(n))} lost; {watch.Watches} watch requests, {watch.Relists} relists after 410 Gone";
        output.WriteLine(watchMessage);
        Console.WriteLine(watchMessage);
        Assert.Equal(0, watch.Relists);
    }
}
