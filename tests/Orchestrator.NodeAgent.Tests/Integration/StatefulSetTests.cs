using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Domain.Resources;
using Orchestrator.TestSupport;

namespace Orchestrator.NodeAgent.Tests.Integration;

/// <summary>
/// A StatefulSet on a real node and the real Docker engine: three pods come up one after the other
/// (each created only once the one before it is Ready) under the names db-0..db-2, each with its
/// hostname published in the headless Service's endpoints (its DNS name), and a deleted pod comes
/// back under its own name.
/// </summary>
public sealed class StatefulSetTests(AgentNodeFixture fixture) : IClassFixture<AgentNodeFixture>
{
    private static readonly TimeSpan Convergence = TimeSpan.FromSeconds(120);

    private const string Manifest = """
        apiVersion: v1
        kind: Service
        metadata:
          name: db
        spec:
          clusterIP: None
          selector: {app: db}
          ports:
          - port: 8080
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          replicas: 3
          serviceName: db
          selector:
            matchLabels: {app: db}
          template:
            metadata:
              labels: {app: db}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: orchestrator/busybox:v2
                imagePullPolicy: IfNotPresent
                command: ["sh", "-c", "exec sleep 3600"]
        """;

    private async Task<List<JsonObject>> PodsAsync(string ns)
    {
        using var http = fixture.Agent.Node.CreateHttpClient();
        var list = await http.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/{ns}/pods?labelSelector=app%3Ddb");
        return list!["items"]!.AsArray().OfType<JsonObject>().ToList();
    }

    private static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse(node!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

    private static DateTimeOffset ReadySince(JsonObject pod) =>
        Time((pod["status"]!["conditions"] as JsonArray)!.OfType<JsonObject>().First(c => c["type"]!.GetValue<string>() == "Ready")["lastTransitionTime"]);

    [DockerFact]
    public async Task Three_pods_come_up_in_order_with_stable_names_and_hostnames_and_a_deleted_one_returns_under_its_name()
    {
        var kubectl = fixture.Agent.Kubectl;
        var ns = $"sts-{Guid.NewGuid().ToString("N")[..6]}";
        (await kubectl.RunAsync($"create namespace {ns}")).EnsureSuccess();
        (await kubectl.RunAsync($"apply -n {ns} -f -", Manifest)).EnsureSuccess();
        (await kubectl.RunAsync($"rollout status statefulset/db -n {ns} --timeout=150s", timeout: TimeSpan.FromSeconds(160))).EnsureSuccess();
        var pods = (await PodsAsync(ns)).OrderBy(p => p.Name(), StringComparer.Ordinal).ToList();
        Assert.Equal(["db-0", "db-1", "db-2"], pods.Select(p => p.Name()));
        Assert.All(pods, p => Assert.Equal("Running", p["status"]!["phase"]!.GetValue<string>()));
        // OrderedReady: each pod was created no earlier than the one before it became Ready (seconds resolution).
        for (var i = 1; i < 3; i++)
            Assert.True(Time(pods[i]["metadata"]!["creationTimestamp"]) >= ReadySince(pods[i - 1]).AddSeconds(-1), $"db-{i} created before db-{i - 1} was Ready");
        Assert.All(pods, p => Assert.Equal(p.Name(), p["spec"]!["hostname"]!.GetValue<string>()));
        // The headless Service publishes each pod's hostname: db-N.db.<ns>.svc resolves.
        await Poll.Until(async () =>
        {
            var hostnames = (await kubectl.RunAsync($"get endpointslices -n {ns} -l kubernetes.io/service-name=db -o jsonpath={{.items[*].endpoints[*].hostname}}")).Stdout;
            return new[] { "db-0", "db-1", "db-2" }.All(h => hostnames.Contains(h, StringComparison.Ordinal));
        }, Convergence, "the headless Service's endpoints to carry the hostnames db-0..db-2");

        var uid = pods[0]["metadata"]!["uid"]!.GetValue<string>();
        (await kubectl.RunAsync($"delete pod db-0 -n {ns} --wait=false")).EnsureSuccess();
        await Poll.Until(async () =>
        {
            var again = (await PodsAsync(ns)).FirstOrDefault(p => p.Name() == "db-0");
            return again is not null && again["metadata"]!["uid"]!.GetValue<string>() != uid && again["metadata"]?["deletionTimestamp"] is null
                   && again["status"]?["phase"]?.GetValue<string>() == "Running";
        }, Convergence, "db-0 to come back Running under its own name");
        (await kubectl.RunAsync($"delete namespace {ns} --wait=false")).EnsureSuccess();
    }
}
